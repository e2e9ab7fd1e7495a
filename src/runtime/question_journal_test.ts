import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { readEvents } from "../store/journal.ts";
import { messageFile, recordQuestion } from "../store/questions.ts";
import { taskPaths } from "../store/paths.ts";
import { MAX_QUESTIONS_PER_SWEEP, questionJournal } from "./question_journal.ts";

Deno.test("questionJournal journals each question file once, also across runs", async () => {
  await using ctx = await testCtx();
  const spec = await seedTask(ctx, "qj-0001", { spec: { session: "s1" } });
  const first = await questionJournal(ctx, spec);
  assert.equal(await first.sweep(), 0);
  await recordQuestion(ctx.home, "qj-0001", "Which database?", ctx.now());
  assert.equal(await first.sweep(), 1);
  assert.equal(await first.sweep(), 0, "once");
  const resumed = await questionJournal(ctx, spec); // a later run starts from what the journal holds
  assert.equal(await resumed.sweep(), 0);
  const events = (await readEvents(ctx.home, 0)).entries.map((e) => e.event);
  assert.deepEqual(
    events.map((e) => [e.type, e.task, e.session, e.question, e.text]),
    [["question", "qj-0001", "s1", 1, "Which database?"]],
  );
});

Deno.test("questionJournal skips malformed question files and caps a flood", async () => {
  await using ctx = await testCtx();
  const spec = await seedTask(ctx, "qj-0002");
  const dir = taskPaths(ctx.home, "qj-0002").questions;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/${messageFile(1)}`, JSON.stringify({ n: 1, text: "   ", ts: 1 }));
  await Deno.writeTextFile(
    `${dir}/${messageFile(2)}`,
    JSON.stringify({ n: 2, text: "x".repeat(9000), ts: 1 }),
  );
  for (let n = 3; n < 3 + MAX_QUESTIONS_PER_SWEEP + 5; n++) {
    await Deno.writeTextFile(`${dir}/${messageFile(n)}`, JSON.stringify({ n, text: `q${n}`, ts: 1 }));
  }
  const journal = await questionJournal(ctx, spec);
  assert.equal(await journal.sweep(), MAX_QUESTIONS_PER_SWEEP);
  assert.equal(await journal.sweep(), 5, "the rest on the next sweep");
});
