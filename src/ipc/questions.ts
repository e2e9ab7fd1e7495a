/**
 * The question/answer protocol between a worker and the host: `ask` records
 * a question and waits for its answer, `answer` delivers one exactly once.
 * The files are the store's (`store/questions.ts`); this adds the waiting
 * and the `answered` event. `ask` runs inside the worker (and its sandbox):
 * it writes only its task's work folder, and the supervisor journals the question
 * (`runtime/question_journal.ts`).
 * @module
 */
import type { HomeCtx } from "../context.ts";
import { TimeoutError } from "../errors.ts";
import {
  type Answer,
  checkMessage,
  messageFile,
  receiveAnswer,
  recordAnswer,
  recordQuestion,
} from "../store/questions.ts";
import { taskPaths } from "../store/paths.ts";
import { readSpec, withTaskLock } from "../store/tasks.ts";
import { emit } from "../runtime/events.ts";
import { waitForFile } from "./wait_for_file.ts";
import { withLock, withSharedLock } from "../store/lock.ts";
import { crashPoint } from "../proc/crash_point.ts";

/** Options for {@linkcode ask}. */
export interface AskOptions {
  timeoutMs?: number;
}

/**
 * Records a question (or finds the same one still pending from an earlier,
 * timed-out ask) and waits for its answer. Resolves with the answer text.
 */
export async function ask(ctx: HomeCtx, id: string, text: string, opts: AskOptions = {}): Promise<string> {
  const question = checkMessage(text, "question");
  const p = taskPaths(ctx.home, id);
  readSpec(ctx.home, id); // the task exists (NotFound otherwise)
  // The worker's own lock, in the folder it may write: the task's lock is the trusted side's.
  const n = await withLock(
    p.askLock,
    async () => (await recordQuestion(ctx.home, id, question, ctx.now())).n,
  );
  const arrived = await waitForFile(ctx, p.answers, messageFile(n), { timeoutMs: opts.timeoutMs });
  // Wait out the answerer, who holds the task's lock until its event is journaled, so `answered`
  // precedes what the worker does next (shared and read-only: a sandboxed worker cannot write there).
  const answer = arrived
    ? await withSharedLock(p.lock, () => withLock(p.askLock, () => receiveAnswer(ctx.home, id, n, ctx.now())))
    : undefined;
  if (answer === undefined) {
    throw new TimeoutError(
      `No answer yet: question ${n} is still open; run the same 'dispatch ask' command again to keep waiting`,
    );
  }
  return answer;
}

/** Options for {@linkcode answer}. */
export interface AnswerOptions {
  /** Which question; the oldest open one by default. */
  question?: number;
}

/**
 * Delivers an answer exactly once. Throws StateError when the task has no
 * open question, or when that question was answered meanwhile.
 */
export function answer(
  ctx: HomeCtx,
  id: string,
  text: string,
  opts: AnswerOptions = {},
): Promise<Answer> {
  const spec = readSpec(ctx.home, id);
  return withTaskLock(ctx.home, id, async () => {
    const recorded = await recordAnswer(ctx.home, id, text, opts.question, ctx.now());
    crashPoint("answer:stored");
    await emit(ctx, spec, recorded.event);
    return recorded.answer;
  });
}
