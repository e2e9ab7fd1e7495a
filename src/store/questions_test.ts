import assert from "node:assert/strict";
import { tempDir } from "../../test/temp_dir.ts";
import { ensureDir } from "./fsx.ts";
import { taskPaths } from "./paths.ts";
import { listQuestions, openQuestions, receiveAnswer, recordAnswer, recordQuestion } from "./questions.ts";

Deno.test("recordQuestion numbers questions and finds a pending one again instead of asking twice", async () => {
  await using dir = await tempDir();
  await ensureDir(taskPaths(dir.path, "t-1").dir);
  const first = await recordQuestion(dir.path, "t-1", "A?", 10);
  assert.deepEqual(first, { n: 1, event: { type: "question", question: 1, text: "A?" } });
  assert.deepEqual(await recordQuestion(dir.path, "t-1", "A?", 11), { n: 1 }, "same pending question");
  assert.equal((await recordQuestion(dir.path, "t-1", "B?", 12)).n, 2);
  assert.deepEqual(listQuestions(dir.path, "t-1").map((q) => [q.n, q.ts]), [[1, 10], [2, 12]]);
});

Deno.test("recordAnswer answers the oldest open question once; receiveAnswer leaves a receipt", async () => {
  await using dir = await tempDir();
  await ensureDir(taskPaths(dir.path, "t-2").dir);
  await recordQuestion(dir.path, "t-2", "A?", 1);
  await recordQuestion(dir.path, "t-2", "B?", 2);
  assert.equal(await receiveAnswer(dir.path, "t-2", 1, 3), undefined, "no answer yet");
  const { answer, event } = await recordAnswer(dir.path, "t-2", " yes ", undefined, 4);
  assert.deepEqual(answer, { n: 1, text: "yes", ts: 4 });
  assert.deepEqual(event, { type: "answered", question: 1, text: "yes" });
  assert.deepEqual(openQuestions(dir.path, "t-2").map((q) => q.n), [2]);
  await assert.rejects(recordAnswer(dir.path, "t-2", "no", 1, 5), /Already answered/);
  await assert.rejects(recordAnswer(dir.path, "t-2", "no", 7, 5), /No question 7 in task t-2 \(it has 2\)/);
  assert.equal(await receiveAnswer(dir.path, "t-2", 1, 6), "yes");
  assert.equal(await Deno.readTextFile(`${taskPaths(dir.path, "t-2").receipts}/1`), "6\n");
  assert.equal((await recordQuestion(dir.path, "t-2", "A?", 7)).n, 3, "a received question is asked anew");
});
