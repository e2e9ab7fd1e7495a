import assert from "node:assert/strict";
import { collectTree, killTree } from "./kill_tree.ts";
import { isAlive } from "./procfs.ts";

/** A detached `sleep` in its own session whose environment says it works for `task` in `home`. */
function sleeper(task: string, home: string): Deno.ChildProcess {
  return new Deno.Command("setsid", {
    args: ["sleep", "30"],
    env: { DISPATCH_TASK: task, DISPATCH_HOME: home },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function untilEnvVisible(pid: number): Promise<void> {
  // setsid execs sleep with the same pid; wait until the environment is the one we gave it.
  for (let i = 0; i < 500 && !collectTree({ task: "same-0001" }).includes(pid); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("killTree: a task's processes are matched by id and home together, so the same id in another home survives", async () => {
  const mine = sleeper("same-0001", "/tmp/home-a");
  const theirs = sleeper("same-0001", "/tmp/home-b");
  try {
    await untilEnvVisible(mine.pid);
    await untilEnvVisible(theirs.pid);
    const tree = collectTree({ task: "same-0001", home: "/tmp/home-a" });
    assert.ok(tree.includes(mine.pid), "the task's own process is found");
    assert.ok(!tree.includes(theirs.pid), "the same task id in another home is not");
    await killTree({ task: "same-0001", home: "/tmp/home-a" }, 2000);
    assert.equal((await mine.status).signal, "SIGTERM");
    assert.ok(isAlive(theirs.pid), "the other home's process still runs");
  } finally {
    for (const child of [mine, theirs]) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
    }
  }
});
