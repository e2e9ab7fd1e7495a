/**
 * Fault: the wall clock steps (NTP, a user, a VM resume) while a task runs.
 * Timeouts and stall windows are durations: measured on the monotonic
 * clock, a step of the wall clock neither fires nor stops them. The
 * injected {@linkcode FakeClock} steps the wall clock alone with `stepWall`.
 */
import assert from "node:assert/strict";
import { seedTask, testCtx, until, useShellWorker } from "../fake_ctx.ts";
import { readEvents } from "../../src/store/journal.ts";
import { readState } from "../../src/store/tasks.ts";
import { isAlive } from "../../src/proc/procfs.ts";
import { supervise } from "../../src/runtime/supervisor.ts";
import { ask } from "../../src/ipc/questions.ts";
import { watch } from "../../src/ipc/watch.ts";

const HOUR = 60 * 60_000;

/** Resolves once the supervisor's tick has acted: it waits again, or it has returned. */
async function tickDone(ctx: { clock: { sleeping: number } }, run: Promise<void>): Promise<void> {
  let over = false;
  run.then(() => over = true, () => over = true);
  while (!over && ctx.clock.sleeping === 0) await new Promise((r) => setTimeout(r, 5));
}
const WAIT_FOR_GO = `while [ ! -f "$DISPATCH_HOME/go" ]; do sleep 0.02; done`;
const TICK_ALL = `sed -i 's/- \\[ \\]/- [x]/g' "$DISPATCH_PLAN"`;

Deno.test("clock step +2h: a 1 h task is neither timed out nor stalled by the step", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, `${WAIT_FOR_GO}; ${TICK_ALL}`);
  await seedTask(ctx, "step-0001", { spec: { timeoutMs: HOUR, stallMs: HOUR } });
  const run = supervise(ctx, "step-0001", { tickMs: 1000 });
  const { pid } = await until(() =>
    readState(ctx.home, "step-0001").pid ? readState(ctx.home, "step-0001") : undefined
  );
  await ctx.clock.fireNext(); // the first look: activity seen
  await tickDone(ctx, run);
  ctx.clock.stepWall(2 * HOUR);
  await ctx.clock.fireNext(); // one real second later, two wall hours later
  await tickDone(ctx, run);
  assert.ok(isAlive(pid), "the worker was not killed by the step");
  assert.equal(readState(ctx.home, "step-0001").state, "running");
  await Deno.writeTextFile(`${ctx.home}/go`, "");
  await run;
  const state = readState(ctx.home, "step-0001");
  assert.equal(state.state, "done", state.reason);
  const types = (await readEvents(ctx.home, 0)).entries.map((e) => e.event.type);
  assert.ok(!types.includes("stalled"), `no stall reported: ${types}`);
});

Deno.test("clock step -1h: a 5 s timeout still fires after 6 s", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, `${WAIT_FOR_GO}; ${TICK_ALL}`);
  await seedTask(ctx, "step-0002", { spec: { timeoutMs: 5000 } });
  const run = supervise(ctx, "step-0002", { tickMs: 6000 });
  await until(() => readState(ctx.home, "step-0002").pid);
  ctx.clock.stepWall(-HOUR);
  await ctx.clock.fireNext(); // 6 s pass; the wall clock reads 59m54s before the start
  await tickDone(ctx, run); // the tick has acted (killed the tree, if it saw the timeout)
  await Deno.writeTextFile(`${ctx.home}/go`, ""); // a worker still alive would now finish "done"
  await run;
  const state = readState(ctx.home, "step-0002");
  assert.equal(state.state, "failed");
  assert.equal(state.reason, "Timed out after 5s; worker tree killed");
});

Deno.test("clock step: an ask's --timeout is a duration; +2 h on the wall clock does not end it, 61 s do", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "step-0003");
  let ended = false;
  const asked = ask(ctx, "step-0003", "Still there?", { timeoutMs: 60_000 });
  asked.then(() => ended = true, () => ended = true);
  await ctx.clock.settled();
  ctx.clock.stepWall(2 * HOUR);
  ctx.clock.advance(1000);
  await ctx.clock.settled();
  assert.equal(ended, false, "the step did not time the ask out");
  await assert.rejects(ctx.clock.runUntil(asked), /No answer yet: question 1 is still open/);
});

Deno.test("clock step: watch's --timeout is a duration; -1 h on the wall clock does not stretch it", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "step-0004", {
    state: { state: "running", pid: Deno.pid, supervisor: Deno.pid, started: 1 },
  });
  const mono = ctx.clock.monotonic();
  const watching = watch(ctx, { timeoutMs: 5000, reconcileMs: 2000 });
  await ctx.clock.settled();
  ctx.clock.stepWall(-HOUR);
  await assert.rejects(ctx.clock.runUntil(watching), /Nothing needed the host before the watch timed out/);
  assert.equal(ctx.clock.monotonic() - mono, 5000, "it ended 5 s later, not an hour and 5 s");
});
