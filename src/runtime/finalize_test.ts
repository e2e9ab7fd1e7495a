import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { readEvents } from "../store/journal.ts";
import { recordQuestion } from "../store/questions.ts";
import { finalizeTask, outcome } from "./finalize.ts";

const DONE = "- [x] a\n- [x] b\n";

Deno.test("outcome() is done only for exit 0 with every item ticked and nothing open", () => {
  assert.deepEqual(outcome({ code: 0 }, DONE, 0), { state: "done", reason: "All items done" });
  assert.equal(
    outcome({ code: 0 }, "- [x] a\n- [ ] b\n", 0).reason,
    "Worker exited 0 with 1 of 2 items unticked",
  );
  assert.equal(outcome({ code: 0 }, DONE, 1).state, "failed");
  assert.equal(outcome({ code: 0, failure: "Refused 2 tool calls" }, DONE, 0).reason, "Refused 2 tool calls");
});

Deno.test("outcome() names signals, codes and unknown exits", () => {
  assert.equal(outcome({ code: 137 }, DONE, 0).reason, "Worker killed by SIGKILL (exit 137)");
  assert.equal(outcome({ code: 143 }, DONE, 0).reason, "Worker killed by SIGTERM (exit 143)");
  assert.equal(outcome({ code: 2 }, DONE, 0).reason, "Worker exited with code 2");
  assert.equal(outcome({ code: null }, DONE, 0).reason, "Worker ended with no exit code recorded");
  assert.equal(outcome({ code: 0, failed: true, reason: "Timed out" }, DONE, 0).reason, "Timed out");
});

Deno.test("outcome() keeps a resumable worker that left a question open waiting", () => {
  assert.equal(outcome({ code: 0, resumable: true }, "- [ ] a\n", 1).state, "waiting");
  assert.equal(outcome({ code: 0, resumable: false }, "- [ ] a\n", 1).state, "failed");
});

Deno.test("finalizeTask records the end once, stamped by the ctx clock", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "fin-0001", { state: { state: "running" }, plan: DONE });
  const state = await finalizeTask(ctx, "fin-0001", { code: 0, usage: { inputTokens: 5 } });
  assert.deepEqual([state.state, state.ended, state.usage?.inputTokens], ["done", ctx.now(), 5]);
  const again = await finalizeTask(ctx, "fin-0001", { code: 1, usage: { inputTokens: 2 } });
  assert.equal(again.state, "done", "an ended task keeps its state");
  assert.equal(again.usage?.inputTokens, 7, "late figures still add up");
  const events = (await readEvents(ctx.home, 0)).entries.map((e) => [e.event.type, e.event.ts]);
  assert.deepEqual(events, [["done", ctx.now()]]);
});

Deno.test("finalizeTask keeps a resumable worker with an open question waiting", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "fin-0002", { state: { state: "running" } });
  await recordQuestion(ctx.home, "fin-0002", "Which?", ctx.now());
  const state = await finalizeTask(ctx, "fin-0002", { code: 0, resumable: true });
  assert.deepEqual([state.state, state.ended], ["waiting", undefined]);
});

Deno.test("outcome(): a deferred call waits on its permission; denied calls leave a run done", () => {
  const waiting = outcome({ code: 0, deferred: true, resumable: true }, "- [ ] a\n", 1);
  assert.deepEqual(waiting, {
    state: "waiting",
    reason: "Waiting on a permission: answering resumes its session",
  });
  assert.equal(outcome({ code: 0, deferred: true, resumable: true }, "- [ ] a\n", 0).state, "failed");
  assert.deepEqual(outcome({ code: 0, denied: 2 }, "- [x] a\n", 0), {
    state: "done",
    reason: "All items done; 2 calls denied",
  });
  assert.equal(
    outcome({ code: 0, denied: 1, failure: "Claude ended with an error" }, "- [x] a\n", 0).state,
    "failed",
  );
});

Deno.test("outcome(): refused calls fail a task only when its plan is unfinished, and then name the rule", () => {
  const refusal =
    "Qwen was refused 1 tool call(s): run_shell_command(npm test) (allow it with --allow 'npm test', or raise the tier)";
  assert.deepEqual(outcome({ code: 0, denied: 1, refusal }, DONE, 0), {
    state: "done",
    reason: "All items done; 1 call denied",
  });
  assert.deepEqual(outcome({ code: 0, denied: 1, refusal }, "- [x] a\n- [ ] b\n", 0), {
    state: "failed",
    reason: `${refusal}; 1 of 2 items unticked`,
  });
});
