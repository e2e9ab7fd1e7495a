/**
 * Attack family: a worker's process outlives its task. The hostile worker
 * double-forks a sleeper into a new session (`setsid`) with an empty
 * environment (`env -i`, so no DISPATCH_TASK) that ignores SIGTERM: it is no
 * descendant, in no group of the tree, and carries nothing of the task, so
 * the process-tree method cannot find it. The task's cgroup holds it anyway:
 * cancel and timeout kill it (checked by pid and start time, not by env),
 * and `status --json` says the task got a cgroup. Forcing the fallback shows
 * the process-tree containment honestly, and what it cannot catch.
 * @module
 */
import assert from "node:assert/strict";
import { isAlive, startTimeOf } from "../../src/proc/procfs.ts";
import { type Sandbox, sandbox, taskStatus, waitFor, waitForNoProcesses, waitForState } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { ESCAPEE_SH, writableCgroupParent } from "../cgroup_helpers.ts";

const CGROUPS = writableCgroupParent() !== undefined;
if (!CGROUPS) console.log("containment_test: no writable cgroup v2 here; the cgroup cases are skipped");

/** The hostile worker: plants the escapee, writes its pid to `pidFile`, then works (sleeps) until stopped. */
function hostileScript(pidFile: string): string {
  return [
    "#!/bin/sh",
    `set -- '${pidFile}'`,
    ESCAPEE_SH,
    "exec sleep 1000",
    "",
  ].join("\n");
}

function config(script: string): string {
  return [
    "default: hostile",
    "backends:",
    "  hostile:",
    `    command: "${script}"`,
    '    model_flag: ""',
    "models:",
    "  hostile: { backend: hostile }",
    "limits: { max_concurrent: 64 }",
    "",
  ].join("\n");
}

interface Escapee {
  pid: number;
  start: string;
}

/** Starts the hostile task and waits for its escapee; returns the task id and the escapee. */
async function startHostile(
  sb: Sandbox,
  pidFile: string,
  extra: string[] = [],
  env: Record<string, string> = {},
) {
  const r = await sb.run([
    "start",
    "--title",
    "hostile",
    "--model",
    "hostile",
    "--plan",
    "-",
    "--json",
    ...extra,
  ], {
    stdin: "# plan\n- [ ] work\n",
    env,
  });
  assert.equal(r.code, 0, r.stderr);
  const id: string = JSON.parse(r.stdout).id;
  const escapee = await waitFor<Escapee>("the escapee to start", async () => {
    const pid = Number(await Deno.readTextFile(pidFile).catch(() => ""));
    const start = pid > 1 ? startTimeOf(pid) : undefined;
    return start === undefined ? undefined : { pid, start };
  });
  await waitForStatus(sb, id);
  return { id, escapee };
}

/** Waits for the task to be running with its containment recorded. */
function waitForStatus(sb: Sandbox, id: string) {
  return waitFor("the task to run with its containment recorded", async () => {
    const s = await taskStatus(sb, id);
    return s.state === "running" && s.containment !== null ? s : undefined;
  });
}

async function hostileSandbox() {
  const dir = await tempDir("dispatch-containment-");
  const script = `${dir.path}/hostile.sh`;
  await Deno.writeTextFile(script, hostileScript(`${dir.path}/escapee.pid`), { mode: 0o700 });
  const sb = await sandbox(config(script));
  return {
    sb,
    pidFile: `${dir.path}/escapee.pid`,
    async [Symbol.asyncDispose]() {
      await sb[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}

function assertCgroup(s: Record<string, unknown>, id: string): string {
  const c = s.containment as { kind: string; path: string };
  assert.equal(c.kind, "cgroup");
  assert.match(c.path, new RegExp(`/dispatch/${id}-[0-9a-f]{8}$`));
  return c.path;
}

const escapeeGone = (e: Escapee) =>
  waitFor("the escapee to be killed", () => isAlive(e.pid, e.start) ? undefined : true, 15_000);

Deno.test({
  name: "containment: cancel kills a double-forked setsid env -i sleeper that ignores SIGTERM",
  ignore: !CGROUPS,
  async fn() {
    await using h = await hostileSandbox();
    const { id, escapee } = await startHostile(h.sb, h.pidFile);
    const path = assertCgroup(await taskStatus(h.sb, id), id);
    const r = await h.sb.run(["cancel", id]);
    assert.equal(r.code, 0, r.stderr);
    await escapeeGone(escapee);
    await waitForNoProcesses(id);
    await waitFor("the task cgroup to be removed", () => Deno.stat(path).then(() => undefined, () => true));
    assertCgroup(await waitForState(h.sb, id, ["cancelled"]), id);
  },
});

Deno.test({
  name: "containment: a timeout kills the same escapee and fails the task",
  ignore: !CGROUPS,
  async fn() {
    await using h = await hostileSandbox();
    const { id, escapee } = await startHostile(h.sb, h.pidFile, ["--timeout", "2s"]);
    const s = await waitForState(h.sb, id, ["failed", "done"], 30_000);
    assert.equal(s.state, "failed");
    assert.match(String(s.reason), /^Timed out after 2s/);
    await escapeeGone(escapee);
    await waitForNoProcesses(id);
  },
});

Deno.test("containment: the forced fallback is today's process tree, reported as such, which the escapee outlives", async () => {
  await using h = await hostileSandbox();
  const { id, escapee } = await startHostile(h.sb, h.pidFile, [], { DISPATCH_CONTAINMENT: "process-tree" });
  try {
    assert.deepEqual((await taskStatus(h.sb, id)).containment, { kind: "process-tree" });
    assert.equal((await h.sb.run(["cancel", id])).code, 0);
    await waitForNoProcesses(id); // the worker itself still goes
    // What the process tree cannot see survives: why cgroups, where the machine has them.
    assert.ok(isAlive(escapee.pid, escapee.start));
  } finally {
    if (isAlive(escapee.pid, escapee.start)) Deno.kill(escapee.pid, "SIGKILL");
  }
});
