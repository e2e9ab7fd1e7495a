/**
 * Truthful outcomes: a worker that exits 0 is `done` only when the items its
 * task started with are all ticked. A plan deleted, emptied of items,
 * shortened, or saved so it no longer parses fails the task with that
 * reason (it used to be "done 0/0").
 */
import assert from "node:assert/strict";
import { seedTask, testCtx, useShellWorker } from "../fake_ctx.ts";
import { readEvents } from "../../src/store/journal.ts";
import { readState } from "../../src/store/tasks.ts";
import { supervise } from "../../src/runtime/supervisor.ts";

const PLAN = "- [ ] one\n- [ ] two\n- [ ] three\n";

/** Runs a shell worker `body` on a task that started with PLAN; resolves with the final state and done event. */
async function endOf(body: string) {
  await using ctx = await testCtx();
  await useShellWorker(ctx, body);
  await seedTask(ctx, "plan-0001", { plan: PLAN, spec: { planItems: 3 } });
  await supervise(ctx, "plan-0001", { tickMs: 60_000 });
  const state = readState(ctx.home, "plan-0001");
  const last = (await readEvents(ctx.home, 0)).entries.at(-1)?.event;
  return { state, last };
}

Deno.test("plan loss: a worker that deletes its plan and exits 0 is failed, not done 0/0", async () => {
  const { state, last } = await endOf(`rm "$DISPATCH_PLAN"`);
  assert.equal(state.state, "failed");
  assert.equal(state.reason, "Plan is gone: the worker deleted plan.md (it started with 3)");
  assert.equal(last?.type, "failed");
});

Deno.test("plan loss: a plan rewritten with no items left is failed", async () => {
  const { state } = await endOf(`printf 'all good, trust me\\n' > "$DISPATCH_PLAN"`);
  assert.equal(state.state, "failed");
  assert.equal(
    state.reason,
    "Plan no longer parses: no '- [ ]' or '- [x]' items are left (it started with 3)",
  );
});

Deno.test("plan loss: a plan that kept one ticked item of three is failed, not done 1/1", async () => {
  const { state } = await endOf(`printf -- '- [x] one\\n' > "$DISPATCH_PLAN"`);
  assert.equal(state.state, "failed");
  assert.equal(state.reason, "Plan lost items: 1 left of the 3 the task started with");
});

Deno.test("plan loss: CR line ends still parse, so unticked items are counted, and all ticked is done", async () => {
  const cr = await endOf(`printf -- '- [x] one\\r- [ ] two\\r- [x] three\\r' > "$DISPATCH_PLAN"`);
  assert.equal(cr.state.state, "failed");
  assert.equal(cr.state.reason, "Worker exited 0 with 1 of 3 items unticked");
  const crlf = await endOf(`printf -- '- [x] one\\r\\n- [x] two\\r\\n- [x] three\\r\\n' > "$DISPATCH_PLAN"`);
  assert.equal(crlf.state.state, "done", crlf.state.reason);
  assert.deepEqual([crlf.last?.done, crlf.last?.total], [3, 3]);
});

Deno.test("plan loss: a plan replaced by a directory is failed, and the supervisor does not crash", async () => {
  const { state } = await endOf(`rm "$DISPATCH_PLAN"; mkdir "$DISPATCH_PLAN"`);
  assert.equal(state.state, "failed");
  assert.match(state.reason ?? "", /^Plan no longer parses/);
});
