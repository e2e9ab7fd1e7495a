import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { readEvents } from "../store/journal.ts";
import { openQuestions } from "../store/questions.ts";
import { answer, ask } from "./questions.ts";

Deno.test("ask waits for the answer, which lands exactly once", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "qa-0001");
  const asked = ask(ctx, "qa-0001", "  Which database?  ");
  await ctx.clock.settled();
  assert.deepEqual(openQuestions(ctx.home, "qa-0001").map((q) => [q.n, q.text]), [[1, "Which database?"]]);
  assert.equal((await answer(ctx, "qa-0001", "Postgres")).n, 1);
  assert.equal(await asked, "Postgres");
  await assert.rejects(answer(ctx, "qa-0001", "MySQL", { question: 1 }), /Already answered: question 1/);
  await assert.rejects(answer(ctx, "qa-0001", "MySQL"), /Already answered: question 1 of task qa-0001/);
  // `ask` runs in the worker's sandbox and writes only the task's folder: the supervisor journals the question.
  const types = (await readEvents(ctx.home, 0)).entries.map((e) => e.event.type);
  assert.deepEqual(types, ["answered"]);
});

Deno.test("ask times out on the ctx clock, and asking again waits on the same question", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "qa-0002");
  await assert.rejects(
    ctx.clock.runUntil(ask(ctx, "qa-0002", "Still there?", { timeoutMs: 60_000 })),
    /No answer yet: question 1 is still open/,
  );
  const again = ask(ctx, "qa-0002", "Still there?");
  await ctx.clock.settled();
  assert.equal(openQuestions(ctx.home, "qa-0002").length, 1, "not asked twice");
  await answer(ctx, "qa-0002", "Yes");
  assert.equal(await again, "Yes");
  assert.deepEqual((await readEvents(ctx.home, 0)).entries.map((e) => e.event.type), ["answered"]);
});

Deno.test("ask and answer refuse empty and oversized text", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "qa-0003");
  await assert.rejects(ask(ctx, "qa-0003", "   "), /Empty question/);
  await assert.rejects(answer(ctx, "qa-0003", "x".repeat(9000)), /Answer too long: 9000 bytes/);
});
