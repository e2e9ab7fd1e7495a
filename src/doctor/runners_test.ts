import assert from "node:assert/strict";
import { configSchema } from "../config/schema.ts";
import type { Ctx } from "../context.ts";
import { checkRunners, nodeExecutables } from "./runners.ts";

const ctx = {
  bin: "/opt/dispatch/bin/dispatch",
  env: { PATH: "/nonexistent" },
  home: "/tmp",
} as unknown as Ctx;

Deno.test("nodeExecutables: dispatch and the CLIs of the backends routed to the runner, else every backend's", () => {
  const config = configSchema.parse({
    backends: {
      c: { type: "claude", runner: "hpc" },
      x: { type: "codex", bin: "/opt/codex" },
      sh: { command: "my-agent --headless" },
      s: { type: "scripted" },
    },
    models: { m: { backend: "x", runner: "gpu" } },
    runners: { hpc: { type: "slurm" }, gpu: { type: "slurm" }, any: { type: "slurm" } },
  });
  assert.deepEqual(nodeExecutables(ctx, config, "hpc"), ["/opt/dispatch/bin/dispatch", "claude"]);
  assert.deepEqual(nodeExecutables(ctx, config, "gpu"), ["/opt/dispatch/bin/dispatch", "/opt/codex"]);
  assert.deepEqual(nodeExecutables(ctx, config, "any"), [
    "/opt/dispatch/bin/dispatch",
    "claude",
    "/opt/codex",
    "my-agent",
  ]);
});

Deno.test("checkRunners: no Slurm clients on PATH is one failed check naming the fix, the job checks skipped", async () => {
  const config = configSchema.parse({ runners: { hpc: { type: "slurm" } } });
  const [report] = await checkRunners(ctx, config);
  assert.equal(report!.backend, "runner hpc");
  assert.equal(report!.ok, false);
  const [scheduler, home, node] = report!.checks;
  assert.equal(scheduler!.detail, "scontrol is not installed or not on PATH");
  assert.match(scheduler!.fix!, /^install the Slurm clients on this machine/);
  assert.deepEqual([home!.skipped, node!.skipped], [true, true]);
});
