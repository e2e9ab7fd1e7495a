import assert from "node:assert/strict";
import { tempDir } from "../../test/temp_dir.ts";
import { ensureDir } from "./fsx.ts";
import { taskPaths } from "./paths.ts";
import {
  checkMessage,
  listQuestions,
  MAX_MESSAGE_BYTES,
  openQuestions,
  receiveAnswer,
  recordAnswer,
  recordQuestion,
} from "./questions.ts";
import { UsageError } from "../errors.ts";

Deno.test("recordQuestion numbers questions and finds a pending one again instead of asking twice", async () => {
  await using dir = await tempDir();
  await ensureDir(taskPaths(dir.path, "t-1").dir);
  const first = await recordQuestion(dir.path, "t-1", "A?", 10);
  assert.deepEqual(first, { n: 1, event: { type: "question", question: 1, text: "A?" } });
  assert.deepEqual(await recordQuestion(dir.path, "t-1", "A?", 11), { n: 1 }, "same pending question");
  assert.equal((await recordQuestion(dir.path, "t-1", "B?", 12)).n, 2);
  assert.deepEqual(listQuestions(dir.path, "t-1").map((q) => [q.n, q.ts]), [[1, 10], [2, 12]]);
});

Deno.test("recordAnswer answers the question named, once; receiveAnswer leaves a receipt", async () => {
  await using dir = await tempDir();
  await ensureDir(taskPaths(dir.path, "t-2").dir);
  await recordQuestion(dir.path, "t-2", "A?", 1);
  await recordQuestion(dir.path, "t-2", "B?", 2);
  assert.equal(await receiveAnswer(dir.path, "t-2", 1, 3), undefined, "no answer yet");
  const { answer, event } = await recordAnswer(dir.path, "t-2", " yes ", 1, 4);
  assert.deepEqual(answer, { n: 1, text: "yes", ts: 4 });
  assert.deepEqual(event, { type: "answered", question: 1, text: "yes" });
  assert.deepEqual(openQuestions(dir.path, "t-2").map((q) => q.n), [2]);
  await assert.rejects(recordAnswer(dir.path, "t-2", "no", 1, 5), /Already answered/);
  await assert.rejects(recordAnswer(dir.path, "t-2", "no", 7, 5), /No question 7 in task t-2 \(it has 2\)/);
  assert.equal(await receiveAnswer(dir.path, "t-2", 1, 6), "yes");
  assert.equal(await Deno.readTextFile(`${taskPaths(dir.path, "t-2").receipts}/1`), "6\n");
  assert.equal((await recordQuestion(dir.path, "t-2", "A?", 7)).n, 3, "a received question is asked anew");
});

Deno.test("recordAnswer without a number answers only a task's one question, and never guesses among several", async () => {
  await using dir = await tempDir();
  await ensureDir(taskPaths(dir.path, "t-3").dir);
  await assert.rejects(recordAnswer(dir.path, "t-3", "x", undefined, 1), /No open question: task t-3/);
  await recordQuestion(dir.path, "t-3", "A?", 1);
  assert.equal((await recordAnswer(dir.path, "t-3", "yes", undefined, 2)).answer.n, 1);
  // The race of invariant 6: host 2 answered question 1, the worker asked question 2, and host 1's answer
  // (written for question 1) arrives without a number. It must not land on question 2.
  await recordQuestion(dir.path, "t-3", "B?", 3);
  await assert.rejects(
    recordAnswer(dir.path, "t-3", "an answer meant for A", undefined, 4),
    (e: Error) =>
      e instanceof UsageError && /Say which question: task t-3 has asked 2 \(open: 2\)/.test(e.message),
  );
  assert.deepEqual(openQuestions(dir.path, "t-3").map((q) => q.n), [2], "question 2 is still open");
  await assert.rejects(recordAnswer(dir.path, "t-3", "late", 1, 5), /Already answered: question 1/);
});

Deno.test("checkMessage refuses NUL and keeps the size bound", () => {
  assert.throws(() => checkMessage("a\u0000b", "answer"), /The answer contains a NUL byte/);
  assert.throws(() => checkMessage("x".repeat(MAX_MESSAGE_BYTES + 1), "note"), /Note too long/);
  assert.equal(checkMessage("  ok  ", "question"), "ok");
});
