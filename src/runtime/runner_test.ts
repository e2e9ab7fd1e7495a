import assert from "node:assert/strict";
import { configSchema } from "../config/schema.ts";
import { UsageError } from "../errors.ts";
import { chooseRunner, DEFAULT_RUNNER_POLL_MS } from "./runner.ts";

const config = configSchema.parse({
  backends: { b: { type: "scripted", runner: "from-backend" }, plain: { type: "scripted" } },
  models: { m: { backend: "b" }, n: { backend: "b", runner: "from-model" }, p: { backend: "plain" } },
  aliases: { a: { model: "n", runner: "from-alias" } },
  runners: {
    "from-backend": { type: "slurm", args: ["--partition=gpu"] },
    "from-model": { type: "slurm", poll: "2s" },
    "from-alias": { type: "slurm" },
  },
});
const env = { PATH: "/bin", SLURM_CONF: "/etc/slurm/x.conf", SECRET: "s" };

Deno.test("chooseRunner: --runner, then the alias's, the model's, the backend's; none is local", () => {
  const pick = (resolved: { model: string; backend: string; alias?: string }, flag?: string) =>
    chooseRunner(config, resolved, flag, env)?.name;
  assert.equal(pick({ model: "m", backend: "b" }), "from-backend");
  assert.equal(pick({ model: "n", backend: "b" }), "from-model");
  assert.equal(pick({ model: "n", backend: "b", alias: "a" }), "from-alias");
  assert.equal(pick({ model: "n", backend: "b", alias: "a" }, "from-model"), "from-model");
  assert.equal(pick({ model: "m", backend: "b" }, "local"), undefined, "--runner local overrides the config");
  assert.equal(pick({ model: "p", backend: "plain" }), undefined);
});

Deno.test("chooseRunner fixes the runner's flags, poll and the clients' environment in the spec", () => {
  const spec = chooseRunner(config, { model: "m", backend: "b" }, undefined, env)!;
  assert.deepEqual(spec, {
    name: "from-backend",
    type: "slurm",
    args: ["--partition=gpu"],
    pollMs: DEFAULT_RUNNER_POLL_MS,
    env: { PATH: "/bin", SLURM_CONF: "/etc/slurm/x.conf" },
  });
  assert.equal(chooseRunner(config, { model: "n", backend: "b" }, undefined, env)!.pollMs, 2000);
});

Deno.test("chooseRunner refuses an unknown runner in one line listing the defined ones", () => {
  assert.throws(
    () => chooseRunner(config, { model: "p", backend: "plain" }, "gpu", env),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message ===
        "Unknown runner in --runner: 'gpu' (defined: local, from-backend, from-model, from-alias; add it under runners:)",
  );
});

Deno.test("config: a runner of an unknown type is refused at load, naming the path", () => {
  const r = configSchema.safeParse({ runners: { k8s: { type: "kubernetes" } } });
  assert.ok(!r.success);
  assert.match(JSON.stringify(r.error.issues), /expected slurm, got \\"kubernetes\\"/);
});
