import assert from "node:assert/strict";
import { cgroupName, createTaskCgroup, findMount, isEmpty, killAll, removeCgroup } from "./cgroup.ts";
import { collectTree, killTree } from "./kill_tree.ts";
import { isAlive } from "./procfs.ts";
import { escapeeIn, writableCgroupParent } from "../../test/cgroup_helpers.ts";

const PARENT = writableCgroupParent();
if (PARENT === undefined) {
  console.log("kill_tree_test: no writable cgroup v2 here; its cgroup tests are skipped");
}
const HOME = `/tmp/kill-tree-test-${Deno.pid}`;

/** A task cgroup holding an escapee, cleaned up at scope end whatever happened. */
async function taskWithEscapee(task: string, home = HOME) {
  const dir = createTaskCgroup(PARENT!, cgroupName(task, home));
  const pidFile = await Deno.makeTempFile();
  const pid = await escapeeIn(dir, pidFile);
  return {
    dir,
    pid,
    async [Symbol.asyncDispose]() {
      for (let i = 0; i < 200 && !isEmpty(dir); i++) {
        killAll(dir);
        await new Promise((r) => setTimeout(r, 25));
      }
      removeCgroup(dir);
      await Deno.remove(pidFile);
    },
  };
}

for (const useKillFile of [true, false]) {
  Deno.test({
    name: `killTree (${
      useKillFile ? "cgroup.kill" : "pid by pid"
    }): what escaped the tree dies with the cgroup, which goes`,
    ignore: PARENT === undefined,
    async fn() {
      await using t = await taskWithEscapee(`kt-${useKillFile}`);
      // No pid and no DISPATCH_TASK lead to it: only the cgroup does.
      await killTree({ task: `kt-${useKillFile}`, home: HOME, cgroup: t.dir }, 100, { useKillFile });
      assert.equal(isAlive(t.pid), false);
      assert.equal(await Deno.stat(t.dir).then(() => true, () => false), false, "the cgroup is removed");
    },
  });
}

Deno.test({
  name: "killTree: a forged cgroup path (another task's, another home's, a system one) kills nothing",
  ignore: PARENT === undefined,
  async fn() {
    await using victim = await taskWithEscapee("victim");
    await using otherHome = await taskWithEscapee("attacker", "/somewhere/else");
    for (
      const cgroup of [victim.dir, otherHome.dir, findMount()!, `${PARENT}/dispatch`, `${victim.dir}/../..`]
    ) {
      await killTree({ task: "attacker", home: HOME, cgroup }, 50);
    }
    assert.ok(isAlive(victim.pid), "another task's cgroup was killed");
    assert.ok(isAlive(otherHome.pid), "another home's cgroup was killed");
  },
});

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
