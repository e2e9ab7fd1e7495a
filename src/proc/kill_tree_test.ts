import assert from "node:assert/strict";
import { cgroupName, createTaskCgroup, findMount, isEmpty, killAll, removeCgroup } from "./cgroup.ts";
import { killTree } from "./kill_tree.ts";
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
