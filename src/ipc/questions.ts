/**
 * The question/answer protocol between a worker and the host. One file per
 * question (`questions/NNN.json`) and per answer (`answers/NNN.json`). An
 * answer is created exclusively, so two racing answers cannot both land; a
 * receipt (`receipts/NNN`) records that the worker got it, so re-running an
 * `ask` after a timeout waits on the same question instead of asking twice.
 * @module
 */
import { InputError, StateError, TimeoutError } from "../errors.ts";
import { createExclusive, ensureDir, listDir, readJsonOrUndefined, writeAtomic } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import { readSpec, withTaskLock } from "../store/tasks.ts";
import { emit } from "../runtime/events.ts";
import { waitForFile } from "./wait_for_file.ts";

/** A question as stored. */
export interface Question {
  n: number;
  text: string;
  ts: number;
}

/** An answer as stored. */
export interface Answer {
  n: number;
  text: string;
  ts: number;
}

/** The largest question or answer accepted. */
export const MAX_MESSAGE_BYTES = 8 * 1024;

function fileName(n: number): string {
  return `${String(n).padStart(3, "0")}.json`;
}

function checkMessage(text: string, what: string): string {
  const trimmed = text.trim();
  if (trimmed === "") throw new InputError(`Empty ${what}: give the text as an argument or on stdin`);
  const bytes = new TextEncoder().encode(trimmed).length;
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new InputError(
      `${what[0]!.toUpperCase()}${what.slice(1)} too long: ${bytes} bytes (limit ${MAX_MESSAGE_BYTES})`,
    );
  }
  return trimmed;
}

async function numbers(dir: string): Promise<number[]> {
  return (await listDir(dir))
    .filter((n) => /^\d+\.json$/.test(n))
    .map((n) => Number(n.slice(0, -5)));
}

/** Every question of a task, oldest first. */
export async function listQuestions(home: string, id: string): Promise<Question[]> {
  const p = taskPaths(home, id);
  const out: Question[] = [];
  for (const n of await numbers(p.questions)) {
    const q = await readJsonOrUndefined<Question>(`${p.questions}/${fileName(n)}`);
    if (q) out.push(q);
  }
  return out.sort((a, b) => a.n - b.n);
}

/** Questions with no answer yet, oldest first. */
export async function openQuestions(home: string, id: string): Promise<Question[]> {
  const answered = new Set(await numbers(taskPaths(home, id).answers));
  return (await listQuestions(home, id)).filter((q) => !answered.has(q.n));
}

/** Options for {@linkcode ask}. */
export interface AskOptions {
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Records a question (or finds the same one still pending from an earlier,
 * timed-out ask) and waits for its answer. Resolves with the answer text.
 */
export async function ask(home: string, id: string, text: string, opts: AskOptions = {}): Promise<string> {
  const question = checkMessage(text, "question");
  const now = opts.now ?? Date.now;
  const p = taskPaths(home, id);
  const spec = await readSpec(home, id);
  const n = await withTaskLock(home, id, async () => {
    await Promise.all([ensureDir(p.questions), ensureDir(p.answers), ensureDir(p.receipts)]);
    const received = new Set((await listDir(p.receipts)).map(Number));
    const pending = (await listQuestions(home, id)).filter((q) => q.text === question && !received.has(q.n));
    if (pending.length > 0) return pending[0]!.n;
    const next = Math.max(0, ...(await numbers(p.questions))) + 1;
    const record: Question = { n: next, text: question, ts: now() };
    await writeAtomic(`${p.questions}/${fileName(next)}`, JSON.stringify(record) + "\n");
    await emit(home, spec, { type: "question", question: next, text: question }, now());
    return next;
  });
  const arrived = await waitForFile(p.answers, fileName(n), { timeoutMs: opts.timeoutMs });
  if (!arrived) {
    throw new TimeoutError(
      `No answer yet: question ${n} is still open; run the same 'dispatch ask' command again to keep waiting`,
    );
  }
  const answer = await readJsonOrUndefined<Answer>(`${p.answers}/${fileName(n)}`);
  await writeAtomic(`${p.receipts}/${n}`, `${now()}\n`);
  return answer!.text;
}

/** Options for {@linkcode answer}. */
export interface AnswerOptions {
  /** Which question; the oldest open one by default. */
  question?: number;
  now?: () => number;
}

/**
 * Delivers an answer exactly once. Throws StateError when the task has no
 * open question, or when that question was answered meanwhile.
 */
export async function answer(
  home: string,
  id: string,
  text: string,
  opts: AnswerOptions = {},
): Promise<Answer> {
  const body = checkMessage(text, "answer");
  const now = opts.now ?? Date.now;
  const spec = await readSpec(home, id);
  const p = taskPaths(home, id);
  const open = await openQuestions(home, id);
  let target: number;
  if (opts.question !== undefined) {
    const all = await listQuestions(home, id);
    if (!all.some((q) => q.n === opts.question)) {
      throw new StateError(`No question ${opts.question} in task ${id} (it has ${all.length})`);
    }
    target = opts.question;
  } else if (open.length > 0) {
    target = open[0]!.n;
  } else {
    throw new StateError(
      `No open question: task ${id} is not waiting for an answer (see 'dispatch status ${id}')`,
    );
  }
  const record: Answer = { n: target, text: body, ts: now() };
  await ensureDir(p.answers);
  if (!await createExclusive(`${p.answers}/${fileName(target)}`, JSON.stringify(record) + "\n")) {
    throw new StateError(
      `Already answered: question ${target} of task ${id} has an answer; nothing was changed`,
    );
  }
  await emit(home, spec, { type: "answered", question: target, text: body }, now());
  return record;
}
