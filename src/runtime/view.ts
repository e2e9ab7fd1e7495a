/**
 * Everything a reader (status, hooks, watch) shows about one task, gathered
 * in one pass, after reconciling it with the processes that really exist.
 * @module
 */
import { type Progress, progressOf } from "../plan/checklist.ts";
import { taskPaths } from "../store/paths.ts";
import {
  readSpec,
  readState,
  type TaskSpec,
  type TaskState,
  type TaskStateName,
  TERMINAL,
} from "../store/tasks.ts";
import { openQuestions, type Question } from "../ipc/questions.ts";
import { reconcileTask } from "./reconcile.ts";

/** One task as readers see it. */
export interface TaskView {
  spec: TaskSpec;
  state: TaskState;
  /** What to show: `waiting` while a question is open, else the stored state. */
  shown: TaskStateName;
  progress: Progress;
  questions: Question[];
  /** Last output or plan change, ms since the epoch. */
  lastActivity?: number;
  outputPath: string;
  hasOutput: boolean;
}

function mtimeSync(path: string): number | undefined {
  try {
    return Deno.statSync(path).mtime?.getTime() ?? undefined;
  } catch {
    return undefined;
  }
}

function readTextSync(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/**
 * Builds the view from files read synchronously: a board reads hundreds of
 * tiny files, where a thread hop per async read costs more than the read.
 */
function assembleView(home: string, spec: TaskSpec, state: TaskState): TaskView {
  const paths = taskPaths(home, spec.id);
  const terminal = TERMINAL.has(state.state);
  const questions = terminal ? [] : openQuestions(home, spec.id);
  const shown: TaskStateName = !terminal && questions.length > 0 ? "waiting" : state.state;
  const times = [mtimeSync(paths.log), mtimeSync(paths.plan)].filter((t): t is number => t !== undefined);
  return {
    spec,
    state,
    shown,
    progress: progressOf(readTextSync(paths.plan)),
    questions,
    lastActivity: times.length ? Math.max(...times) : undefined,
    outputPath: paths.output,
    hasOutput: mtimeSync(paths.output) !== undefined,
  };
}

/** Loads one task's view, reconciling it first unless it has ended. */
export async function loadView(home: string, id: string, now = Date.now()): Promise<TaskView> {
  const spec = readSpec(home, id);
  let state = readState(home, id);
  if (!TERMINAL.has(state.state)) state = await reconcileTask(home, id, now);
  return assembleView(home, spec, state);
}

/** Last `n` lines of the worker's log (reads only the file's tail). */
export async function logTail(home: string, id: string, n: number, maxBytes = 64 * 1024): Promise<string[]> {
  try {
    using file = await Deno.open(taskPaths(home, id).log, { read: true });
    const size = (await file.stat()).size;
    const start = Math.max(0, size - maxBytes);
    await file.seek(start, Deno.SeekMode.Start);
    const buf = new Uint8Array(size - start);
    let got = 0;
    while (got < buf.length) {
      const r = await file.read(buf.subarray(got));
      if (r === null) break;
      got += r;
    }
    const lines = new TextDecoder().decode(buf.subarray(0, got)).split("\n");
    if (lines.at(-1) === "") lines.pop();
    if (start > 0) lines.shift(); // first line is probably cut
    return lines.slice(-n);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}
