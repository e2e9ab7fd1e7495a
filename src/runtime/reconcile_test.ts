import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { readEvents } from "../store/journal.ts";
import { taskPaths } from "../store/paths.ts";
import { readState } from "../store/tasks.ts";
import { NO_CODE_REASON, reconcileTask, START_GRACE_MS } from "./reconcile.ts";
import { cgroupName, createTaskCgroup, removeCgroup } from "../proc/cgroup.ts";
import { writableCgroupParent } from "../../test/cgroup_helpers.ts";

/** A pid that is certainly gone: a process that already exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("reconcileTask finalizes a running task whose processes are gone from its exit code", async () => {
  await using ctx = await testCtx();
  const pid = await deadPid();
  await seedTask(ctx, "gone-0001", { state: { state: "running", pid, supervisor: pid }, plan: "- [x] a\n" });
  await Deno.writeTextFile(taskPaths(ctx.home, "gone-0001").exit, "0\n");
  const state = await reconcileTask(ctx, "gone-0001");
  assert.equal(state.state, "done");
  assert.equal(state.ended, ctx.now());
  assert.deepEqual((await readEvents(ctx.home, 0)).entries.map((e) => e.event.type), ["done"]);
});

Deno.test("reconcileTask fails a dead task with no exit code, saying so", async () => {
  await using ctx = await testCtx();
  const pid = await deadPid();
  await seedTask(ctx, "gone-0002", { state: { state: "running", pid, supervisor: pid } });
  const state = await reconcileTask(ctx, "gone-0002");
  assert.equal(state.state, "failed");
  assert.equal(state.reason, NO_CODE_REASON);
});

Deno.test("reconcileTask gives a starting task its grace period, on the ctx clock", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "slow-0003", { state: { state: "starting", since: ctx.now() } });
  assert.equal((await reconcileTask(ctx, "slow-0003")).state, "starting");
  ctx.clock.advance(START_GRACE_MS + 1);
  const state = await reconcileTask(ctx, "slow-0003");
  assert.equal(state.state, "failed");
  assert.equal(state.reason, "Supervisor never started");
});

Deno.test("reconcileTask leaves live and ended tasks alone", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "live-0004", { state: { state: "running", pid: Deno.pid, supervisor: Deno.pid } });
  assert.equal((await reconcileTask(ctx, "live-0004")).state, "running");
  await seedTask(ctx, "over-0005", { state: { state: "done", ended: 1 } });
  assert.equal((await reconcileTask(ctx, "over-0005")).state, "done");
  assert.equal(readState(ctx.home, "live-0004").state, "running");
  assert.deepEqual((await readEvents(ctx.home, 0)).entries, []);
});

const CGROUP_PARENT = writableCgroupParent();

Deno.test({
  name: "reconcileTask removes the empty cgroup a killed supervisor left, and only the task's own",
  ignore: CGROUP_PARENT === undefined,
  async fn() {
    await using ctx = await testCtx();
    const dir = createTaskCgroup(CGROUP_PARENT!, cgroupName("cg-0001", ctx.home));
    const other = createTaskCgroup(CGROUP_PARENT!, cgroupName("cg-0002", ctx.home));
    try {
      const pid = await deadPid();
      await seedTask(ctx, "cg-0001", {
        state: { state: "running", pid, supervisor: pid, containment: { kind: "cgroup", path: dir } },
      });
      await Deno.writeTextFile(taskPaths(ctx.home, "cg-0001").exit, "0\n");
      await reconcileTask(ctx, "cg-0001");
      assert.equal(await Deno.stat(dir).then(() => true, () => false), false, "its empty cgroup is removed");
      // A state naming another task's cgroup removes nothing.
      await seedTask(ctx, "cg-0003", {
        state: { state: "running", pid, supervisor: pid, containment: { kind: "cgroup", path: other } },
      });
      await reconcileTask(ctx, "cg-0003");
      assert.equal(await Deno.stat(other).then(() => true, () => false), true, "another task's cgroup stays");
    } finally {
      removeCgroup(dir);
      removeCgroup(other);
    }
  },
});
