/**
 * Attacks and accidents on answers (invariants 4 and 6): an answer reaches
 * only the question it was written for, and an answer no worker can receive
 * is refused with the reason, never reported as "Answered". Each case runs
 * the `answer` command in-process against a seeded task.
 */
import assert from "node:assert/strict";
import { seedTask, type TestCtx, testCtx, useShellWorker } from "../fake_ctx.ts";
import { main } from "../../src/main.ts";
import { answerFile, listAnswerNames, liveProcess } from "./answers_helpers.ts";
import { openQuestions, recordAnswer, recordQuestion } from "../../src/store/questions.ts";

async function answerCmd(ctx: TestCtx, args: string[]): Promise<{ code: number; out: string; err: string }> {
  ctx.out.length = 0;
  ctx.err.length = 0;
  const code = await main(ctx, ["answer", ...args]);
  return { code, out: ctx.out.join(""), err: ctx.err.join("") };
}

Deno.test("answers: without --question, an answer written for question 1 cannot land on question 2", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "sleep 30");
  await using worker = liveProcess();
  await seedTask(ctx, "race-0001", { state: { state: "running", pid: worker.pid } });
  await recordQuestion(ctx.home, "race-0001", "Postgres or MySQL?", ctx.now());
  // Host B answers question 1 first; the worker at once asks question 2.
  await recordAnswer(ctx.home, "race-0001", "Postgres", 1, ctx.now());
  await recordQuestion(ctx.home, "race-0001", "Delete the old tables?", ctx.now());
  // Host A's answer, written for question 1 ("yes, go ahead with MySQL"), arrives without a number.
  const r = await answerCmd(ctx, ["race-0001", "yes"]);
  assert.equal(r.code, 2, r.out);
  assert.equal(
    r.err,
    `dispatch: Say which question: task race-0001 has asked 2 (open: 2); run 'dispatch answer race-0001 --question N "text"' with the number its notice gave\n`,
  );
  assert.deepEqual(openQuestions(ctx.home, "race-0001").map((q) => q.n), [2], "question 2 got no answer");
  // Naming the question, as every notice's reply command does, still works in one command.
  const named = await answerCmd(ctx, ["race-0001", "--question", "2", "keep them"]);
  assert.equal(named.code, 0, named.err);
  assert.equal(named.out, "Answered question 2 of race-0001.\n");
});

Deno.test("answers: the common case stays short: a task's one question needs no number", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "sleep 30");
  await using worker = liveProcess();
  await seedTask(ctx, "one-0001", { state: { state: "running", pid: worker.pid } });
  await recordQuestion(ctx.home, "one-0001", "Which port?", ctx.now());
  const r = await answerCmd(ctx, ["one-0001", "8080"]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "Answered question 1 of one-0001.\n");
});

Deno.test("answers: a dead worker that cannot be resumed is refused, and nothing is stored", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "true");
  const dead = await deadPid();
  // Exited waiting (with a question open), but the shell backend cannot resume a session.
  await seedTask(ctx, "dead-0001", { state: { state: "waiting", pid: dead, supervisor: dead } });
  await recordQuestion(ctx.home, "dead-0001", "Go on?", ctx.now());
  const r = await answerCmd(ctx, ["dead-0001", "yes"]);
  assert.equal(r.code, 1, r.out);
  assert.equal(
    r.err,
    "dispatch: Cannot answer: task dead-0001's worker has exited and cannot be resumed (backend 'sh' cannot resume a session); cancel it and start a new task with the answer in its plan\n",
  );
  assert.deepEqual(await listAnswerNames(ctx.home, "dead-0001"), [], "no answer file, no temp file");
});

Deno.test("answers: an ended task, or one whose worker died unseen, is refused with how it ended", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "true");
  await seedTask(ctx, "over-0001", {
    state: { state: "failed", reason: "Worker exited with code 2", ended: 1 },
  });
  await recordQuestion(ctx.home, "over-0001", "Go on?", ctx.now());
  const ended = await answerCmd(ctx, ["over-0001", "yes"]);
  assert.equal(ended.code, 1);
  assert.match(
    ended.err,
    /^dispatch: Cannot answer: task over-0001 has ended \(failed: Worker exited with code 2\)/,
  );
  const dead = await deadPid();
  await seedTask(ctx, "gone-0001", { state: { state: "running", pid: dead, supervisor: dead } });
  await recordQuestion(ctx.home, "gone-0001", "Go on?", ctx.now());
  const gone = await answerCmd(ctx, ["gone-0001", "yes"]);
  assert.equal(gone.code, 1);
  assert.match(gone.err, /^dispatch: Cannot answer: task gone-0001 has ended \(failed: /);
  assert.equal(await answerFile(ctx.home, "gone-0001", 1), undefined);
});

Deno.test("answers: NUL is refused in an answer and a note, one line, exit 65", async () => {
  await using ctx = await testCtx();
  await using worker = liveProcess();
  await seedTask(ctx, "nul-0001", { state: { state: "running", pid: worker.pid } });
  await recordQuestion(ctx.home, "nul-0001", "Name?", ctx.now());
  const r = await answerCmd(ctx, ["nul-0001", "a\u0000b"]);
  assert.deepEqual([r.code, r.err], [65, "dispatch: The answer contains a NUL byte: give plain text\n"]);
  ctx.err.length = 0;
  assert.equal(await main(ctx, ["note", "nul-0001", "x\u0000y"]), 65);
  assert.equal(ctx.err.join(""), "dispatch: The note contains a NUL byte: give plain text\n");
});

async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}
