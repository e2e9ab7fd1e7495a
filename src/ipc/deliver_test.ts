import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { emit } from "../runtime/events.ts";
import { readSession } from "../store/sessions.ts";
import { recordQuestion } from "../store/questions.ts";
import { composeContext, promptContext } from "./deliver.ts";

Deno.test("promptContext delivers a session's notices once, questions first", async () => {
  await using ctx = await testCtx();
  const spec = await seedTask(ctx, "work-0001", {
    state: { state: "done", ended: 1 },
    spec: { session: "s1" },
  });
  const other = await seedTask(ctx, "else-0002", {
    state: { state: "done", ended: 1 },
    spec: { session: "s2" },
  });
  await emit(ctx, spec, { type: "done", done: 2, total: 2 });
  await emit(ctx, spec, { type: "progress", done: 1, total: 2 });
  await emit(ctx, other, { type: "failed", text: "boom" });
  await recordQuestion(ctx.home, "work-0001", "Which?", ctx.now()); // a question event is relayed only with its file
  await emit(ctx, spec, { type: "question", question: 1, text: "Which?" });
  const context = await promptContext(ctx, "s1");
  assert.ok(context);
  const lines = context.split("\n");
  assert.equal(lines[0], "dispatch (background workers):");
  assert.match(lines[1]!, /^\? work-0001 asks \(question 1\): "Which\?"$/);
  assert.match(context, /✓ work-0001 done 2\/2/);
  assert.doesNotMatch(context, /else-0002|progress/);
  assert.equal(await promptContext(ctx, "s1"), undefined, "delivered once");
  assert.ok((await readSession(ctx.home, "s1")).hook! > 0);
});

Deno.test("promptContext drops a finished task from the session's active list", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "live-0003", { state: { state: "running", pid: Deno.pid, supervisor: Deno.pid } });
  await seedTask(ctx, "over-0004", { state: { state: "done", ended: 1 } });
  const { updateSession } = await import("../store/sessions.ts");
  await updateSession(ctx.home, "s1", (r) => ({ ...r, active: ["live-0003", "over-0004"] }));
  await promptContext(ctx, "s1");
  assert.deepEqual((await readSession(ctx.home, "s1")).active, ["live-0003"]);
});

Deno.test("composeContext keeps within the limit and says how many were left out", () => {
  const many = Array.from({ length: 50 }, (_, i) => `notice ${i} ${"x".repeat(100)}`);
  const text = composeContext([], many, 1000)!;
  assert.ok(text.length <= 1000);
  assert.match(text, /\(\+\d+ more updates not shown: run 'dispatch status'\)$/);
  assert.equal(composeContext([], []), undefined);
});

Deno.test("promptContext: push monitor but no monitor runs while tasks do: the session is told to watch, once", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "live-0005", { state: { state: "running", pid: Deno.pid, supervisor: Deno.pid } });
  const { updateSession } = await import("../store/sessions.ts");
  await updateSession(ctx.home, "s1", (r) => ({ ...r, push: "monitor", active: ["live-0005"] }));
  assert.equal(await promptContext(ctx, "s1"), "dispatch push: watch (no monitor runs: arm dispatch watch)");
  assert.equal((await readSession(ctx.home, "s1")).push, "watch");
  assert.equal(await promptContext(ctx, "s1"), undefined);
});
