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
    try {
      out.push(JSON.parse(Deno.readTextFileSync(`${p.questions}/${fileName(n)}`)) as Question);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return out.sort((a, b) => a.n - b.n);
}

/** Questions with no answer yet, oldest first. */
export function openQuestions(home: string, id: string): Question[] {
  const answered = new Set(numbers(taskPaths(home, id).answers));
  return listQuestions(home, id).filter((q) => !answered.has(q.n));
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
  const spec = readSpec(home, id);
  const n = await withTaskLock(home, id, async () => {
    await Promise.all([ensureDir(p.questions), ensureDir(p.answers), ensureDir(p.receipts)]);
    const received = new Set((await listDir(p.receipts)).map(Number));
    const pending = listQuestions(home, id).filter((q) => q.text === question && !received.has(q.n));
    if (pending.length > 0) return pending[0]!.n;
    const next = Math.max(0, ...numbers(p.questions)) + 1;
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
  const spec = readSpec(home, id);
  const p = taskPaths(home, id);
  const open = openQuestions(home, id);
  let target: number;
  if (opts.question !== undefined) {
    const all = listQuestions(home, id);
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
