/**
 * A task's questions and answers on disk. One file per question
 * (`questions/NNN.json`) and per answer (`answers/NNN.json`). An answer is
 * created exclusively, so two racing answers cannot both land; a receipt
 * (`receipts/NNN`) records that the worker got it, so re-running an `ask`
 * after a timeout waits on the same question instead of asking twice.
 *
 * Writers return the journal event to emit; emitting is the caller's
 * (runtime's) job, so the store imports nothing above it.
 * @module
 */
import { InputError, StateError, UsageError } from "../errors.ts";
import type { JournalEvent } from "./journal.ts";
import { createExclusive, ensureDir, listDir, readJsonOrUndefined, writeAtomic } from "./fsx.ts";
import { taskPaths } from "./paths.ts";
import { readWorkerFileSync } from "./plan_file.ts";
import type { Decision, PermissionRequest } from "./permissions.ts";

/** The most of one question file read: a capped question, JSON-escaped, with room to spare. */
const MAX_QUESTION_FILE = 64 * 1024;

/** A question as stored. */
export interface Question {
  n: number;
  text: string;
  ts: number;
  /** Set for a permission request (`store/permissions.ts`); absent for an ordinary question. */
  kind?: "permission";
  request?: PermissionRequest;
}

/** An answer as stored. */
export interface Answer {
  n: number;
  text: string;
  ts: number;
  /** For a permission question: the decision, its reason, and the request as journaled. */
  decision?: Decision;
  reason?: string;
  request?: PermissionRequest;
}

/** The journal event a write calls for (the caller stamps task, session and time). */
export type QuestionEvent = Pick<JournalEvent, "type" | "question" | "text" | "kind">;

/** The largest question or answer accepted. */
export const MAX_MESSAGE_BYTES = 8 * 1024;

/** The file name of question or answer `n`. */
export function messageFile(n: number): string {
  return `${String(n).padStart(3, "0")}.json`;
}

/** Trims `text` and checks it is a non-empty message within the limit; `what` names it in errors. */
export function checkMessage(text: string, what: string): string {
  const trimmed = text.trim();
  if (trimmed === "") throw new InputError(`Empty ${what}: give the text as an argument or on stdin`);
  if (trimmed.includes("\u0000")) throw new InputError(`The ${what} contains a NUL byte: give plain text`);
  const bytes = new TextEncoder().encode(trimmed).length;
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new InputError(
      `${what[0]!.toUpperCase()}${what.slice(1)} too long: ${bytes} bytes (limit ${MAX_MESSAGE_BYTES})`,
    );
  }
  return trimmed;
}

/** Question (or answer) numbers present in `dir`. Sync: a status board reads hundreds of these folders. */
function numbers(dir: string): number[] {
  const out: number[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (/^\d+\.json$/.test(entry.name)) out.push(Number(entry.name.slice(0, -5)));
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

/** Every question of a task, oldest first. */
export function listQuestions(home: string, id: string): Question[] {
  const p = taskPaths(home, id);
  const out: Question[] = [];
  for (const n of numbers(p.questions)) {
    // Worker-written: a FIFO, a folder or a huge file there must not hang or flood a trusted reader.
    const text = readWorkerFileSync(`${p.questions}/${messageFile(n)}`, MAX_QUESTION_FILE);
    if (text === undefined || text === "") continue;
    try {
      out.push(JSON.parse(text) as Question);
    } catch {
      // torn or forged: not a question
    }
  }
  return out.sort((a, b) => a.n - b.n);
}

/** Questions with no answer yet, oldest first. */
export function openQuestions(home: string, id: string): Question[] {
  const answered = new Set(numbers(taskPaths(home, id).answers));
  return listQuestions(home, id).filter((q) => !answered.has(q.n));
}

/**
 * Records `question` (already checked), or finds the same one still pending
 * from an earlier, timed-out ask. Call under the task's lock. `event` is set
 * only when a new question was written.
 */
export async function recordQuestion(
  home: string,
  id: string,
  question: string,
  now: number,
): Promise<{ n: number; event?: QuestionEvent }> {
  const p = taskPaths(home, id);
  await Promise.all([ensureDir(p.questions), ensureDir(p.receipts)]);
  const received = new Set((await listDir(p.receipts)).map(Number));
  const pending = listQuestions(home, id).filter((q) =>
    q.text === question && q.kind === undefined && !received.has(q.n)
  );
  if (pending.length > 0) return { n: pending[0]!.n };
  const next = Math.max(0, ...numbers(p.questions)) + 1;
  const record: Question = { n: next, text: question, ts: now };
  await writeAtomic(`${p.questions}/${messageFile(next)}`, JSON.stringify(record) + "\n");
  return { n: next, event: { type: "question", question: next, text: question } };
}

/** Reads answer `n` and writes the worker's receipt for it; undefined when there is no answer yet. */
export async function receiveAnswer(
  home: string,
  id: string,
  n: number,
  now: number,
): Promise<string | undefined> {
  const p = taskPaths(home, id);
  const answer = await readJsonOrUndefined<Answer>(`${p.answers}/${messageFile(n)}`);
  if (!answer) return undefined;
  await writeAtomic(`${p.receipts}/${n}`, `${now}\n`);
  return answer.text;
}

/**
 * Stores an answer exactly once: to question `question`, or, without one,
 * to the task's only question. Without a number and with more than one
 * question in the task's history, nothing is guessed: "the open question"
 * can change between reading it and answering (two hosts answering at
 * once), so the answer could land on a question it was not written for.
 * Throws StateError when there is no such question or it was answered
 * meanwhile, UsageError when the question must be named. Call under the
 * task's lock.
 */
export async function recordAnswer(
  home: string,
  id: string,
  text: string,
  question: number | undefined,
  now: number,
): Promise<{ answer: Answer; event: QuestionEvent }> {
  const body = checkMessage(text, "answer");
  const target = targetQuestion(home, id, question);
  const answer: Answer = { n: target, text: body, ts: now };
  await writeAnswerOnce(home, id, answer);
  return { answer, event: { type: "answered", question: target, text: body } };
}

/**
 * The question an answer is for: `question` if the task asked it, or,
 * without one, the task's only question (see {@linkcode recordAnswer}).
 */
export function targetQuestion(home: string, id: string, question: number | undefined): number {
  const all = listQuestions(home, id);
  if (question !== undefined) {
    if (!all.some((q) => q.n === question)) {
      throw new StateError(`No question ${question} in task ${id} (it has ${all.length})`);
    }
    return question;
  }
  if (all.length === 1) return all[0]!.n;
  if (all.length === 0) {
    throw new StateError(
      `No open question: task ${id} is not waiting for an answer (see 'dispatch status ${id}')`,
    );
  }
  const open = openQuestions(home, id).map((q) => q.n);
  throw new UsageError(
    `Say which question: task ${id} has asked ${all.length}${
      open.length ? ` (open: ${open.join(", ")})` : ", none open"
    }; run 'dispatch answer ${id} --question N "text"' with the number its notice gave`,
  );
}

/**
 * Creates `answers/NNN.json` for `answer.n` exclusively. Throws StateError
 * when that question has an answer already. Call under the task's lock.
 */
export async function writeAnswerOnce(home: string, id: string, answer: Answer): Promise<void> {
  const p = taskPaths(home, id);
  await ensureDir(p.answers);
  let created: boolean;
  try {
    created = await createExclusive(`${p.answers}/${messageFile(answer.n)}`, JSON.stringify(answer) + "\n");
  } catch (e) {
    await removeTempsOf(p.answers, messageFile(answer.n)); // a full disk: leave no half-written temp behind
    throw e;
  }
  if (!created) {
    throw new StateError(
      `Already answered: question ${answer.n} of task ${id} has an answer; nothing was changed`,
    );
  }
}

/**
 * Removes temp files (`NAME.*.tmp`) an interrupted write of `name` left in
 * `dir`. Answers are written under the task's lock, so none is in flight.
 */
async function removeTempsOf(dir: string, name: string): Promise<void> {
  for (const entry of await listDir(dir).catch(() => [])) {
    if (entry.startsWith(`${name}.`) && entry.endsWith(".tmp")) {
      await Deno.remove(`${dir}/${entry}`).catch(() => {});
    }
  }
}
