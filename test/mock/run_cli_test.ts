/** Tests of runCli's guarantees: stdin handling, time limit, and no surviving processes. */

import assert from "node:assert/strict";
import { runCli } from "./run_cli.ts";

const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };

/** True when a process with this exact command line is alive (zombies count as dead). */
async function aliveWith(cmdline: string): Promise<boolean> {
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).replaceAll("\0", " ").trim();
      const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
      if (cmd === cmdline && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z") return true;
    } catch {
      // Gone meanwhile.
    }
  }
  return false;
}

Deno.test("runCli: feeds stdin, captures output and exit code", async () => {
  const r = await runCli({
    cmd: "sh",
    args: ["-c", "cat; echo err >&2; exit 3"],
    cwd: "/",
    env,
    stdin: "hi",
  });
  assert.equal(r.stdout, "hi");
  assert.equal(r.stderr, "err\n");
  assert.equal(r.code, 3);
  assert.equal(r.timedOut, false);
});

Deno.test("runCli: an orphan in its own session that holds stdout is killed, not waited for", async () => {
  const orphan = "sleep 31.5";
  const r = await runCli({
    cmd: "sh",
    args: ["-c", `setsid ${orphan} & exit 0`],
    cwd: "/",
    env,
    timeoutMs: 20_000,
  });
  assert.equal(r.code, 0);
  assert.equal(r.timedOut, false);
  assert.ok(r.ms < 5_000, `took ${r.ms} ms`);
  assert.equal(await aliveWith(orphan), false);
});

Deno.test("runCli: the time limit kills the whole tree", async () => {
  const inner = "sleep 32.5";
  const r = await runCli({
    cmd: "sh",
    args: ["-c", `setsid ${inner} & sleep 33`],
    cwd: "/",
    env,
    timeoutMs: 1_000,
  });
  assert.equal(r.timedOut, true);
  assert.ok(r.ms < 5_000, `took ${r.ms} ms`);
  assert.equal(await aliveWith(inner), false);
});
