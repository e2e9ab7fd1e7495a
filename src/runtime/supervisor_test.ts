import assert from "node:assert/strict";
import { HELPER, seedTask, testCtx, until, useShellWorker } from "../../test/fake_ctx.ts";
import { readEvents } from "../store/journal.ts";
import { readState } from "../store/tasks.ts";
import { taskPaths } from "../store/paths.ts";
import { supervise } from "./supervisor.ts";

const TICK_ALL = `sed -i 's/- \\[ \\]/- [x]/g' "$DISPATCH_PLAN"; echo "All done" > "$DISPATCH_OUTPUT"`;

async function types(home: string): Promise<string[]> {
  return (await readEvents(home, 0)).entries.map((e) => e.event.type);
}

const WAIT_FOR_GO = `while [ ! -f "$DISPATCH_HOME/go" ]; do sleep 0.02; done`;

Deno.test("supervise: a worker that ticks every item and exits 0 is done, with its progress reported", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, `${TICK_ALL}; echo "worked in $DISPATCH_TASK"; ${WAIT_FOR_GO}`);
  await seedTask(ctx, "t-0001");
  const run = supervise(ctx, "t-0001", { tickMs: 60_000 });
  const progress = await until(
    async () => (await readEvents(ctx.home, 0)).entries.find((e) => e.event.type === "progress"),
    { unless: run },
  );
  assert.deepEqual(
    [progress.event.done, progress.event.total],
    [2, 2],
    "the plan change woke the supervisor",
  );
  await Deno.writeTextFile(`${ctx.home}/go`, "");
  await run;
  const state = readState(ctx.home, "t-0001");
  assert.equal(state.state, "done", state.reason);
  assert.equal(state.code, 0);
  assert.equal(state.runs, 1);
  assert.deepEqual(await types(ctx.home), ["progress", "done"]);
  assert.match(await Deno.readTextFile(taskPaths(ctx.home, "t-0001").log), /worked in t-0001/);
});

Deno.test("supervise: a non-zero exit is failed with the code as reason", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "exit 3");
  await seedTask(ctx, "t-0002");
  await supervise(ctx, "t-0002", { tickMs: 60_000 });
  const state = readState(ctx.home, "t-0002");
  assert.equal(state.state, "failed");
  assert.equal(state.reason, "Worker exited with code 3");
  assert.equal(
    await Deno.readTextFile(taskPaths(ctx.home, "t-0002").exit),
    "3\n",
    "the wrapper keeps the code",
  );
});

Deno.test("supervise: silence past the stall window is reported, and activity clears it", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, `${WAIT_FOR_GO}; ${TICK_ALL}`);
  await seedTask(ctx, "t-0003", { spec: { stallMs: 1000 } });
  const run = supervise(ctx, "t-0003", { tickMs: 60_000 });
  // Each look is a minute of fake silence. The first sees the log's new mtime as activity; on a loaded
  // machine the wrapper may touch the log after it, so keep looking until the silence is reported.
  const stalledEvent = async () =>
    (await readEvents(ctx.home, 0)).entries.find((e) => e.event.type === "stalled");
  let stalled;
  while (!(stalled = await stalledEvent())) await ctx.clock.fireNext(run);
  assert.equal(readState(ctx.home, "t-0003").state, "stalled");
  assert.equal(stalled.event.text, "No output or plan change for 1m00s");
  await Deno.writeTextFile(`${ctx.home}/go`, "");
  await run;
  assert.equal(readState(ctx.home, "t-0003").state, "done");
});

Deno.test("supervise: the deadline kills the worker tree and fails the task", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "sleep 30");
  await seedTask(ctx, "t-0004", { spec: { timeoutMs: 5000 } });
  const run = supervise(ctx, "t-0004", { tickMs: 60_000 });
  await ctx.clock.fireNext(run);
  await run;
  const state = readState(ctx.home, "t-0004");
  assert.equal(state.state, "failed");
  assert.equal(state.reason, "Timed out after 5s; worker tree killed");
});

Deno.test("supervise: a launch that cannot start fails the task instead of crashing", async () => {
  await using ctx = await testCtx({ config: "models: {}\nbackends: {}\n" });
  await seedTask(ctx, "t-0005", { spec: { backend: "missing" } });
  await supervise(ctx, "t-0005", { tickMs: 60_000 });
  const state = readState(ctx.home, "t-0005");
  assert.equal(state.state, "failed");
  assert.match(state.reason ?? "", /^Could not launch the worker: /);
});

Deno.test("supervise: a rate-limited worker is retried after the backoff, on the ctx clock", async () => {
  const scenario = `${new URL("../../test/fixtures/scenarios/rate_limited.txt", import.meta.url).pathname}`;
  await using ctx = await testCtx({
    self: HELPER,
    env: { DISPATCH_BACKOFF_MS: "30000" },
    config: `backends:\n  rl: { type: scripted, scenario: ${scenario} }\nmodels:\n  rl: { backend: rl }\n`,
  });
  await seedTask(ctx, "t-0006", { spec: { backend: "rl", model: "rl", modelId: "rl" } });
  const run = supervise(ctx, "t-0006", { tickMs: 60_000 });
  await until(() => /^Rate limited; retry 1 in /.test(readState(ctx.home, "t-0006").reason ?? ""), {
    unless: run,
  });
  while (readState(ctx.home, "t-0006").runs === 1) await ctx.clock.fireNext(run); // the backoff, in fake time
  await run;
  const state = readState(ctx.home, "t-0006");
  assert.equal(state.runs, 2);
  assert.equal(state.state, "done", state.reason);
});
