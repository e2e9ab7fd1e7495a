/**
 * Everything a reader (status, hooks, watch) shows about one task, gathered
 * in one pass, after reconciling it with the processes that really exist.
 * @module
 */
import { type Progress, progressOf } from "../plan/checklist.ts";
import { readTextOrUndefined } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import { readSpec, type TaskSpec, type TaskState, type TaskStateName, TERMINAL } from "../store/tasks.ts";
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

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? undefined;
  } catch {
    return undefined;
  }
}

/** Loads one task's view. */
export async function loadView(home: string, id: string, now = Date.now()): Promise<TaskView> {
  const paths = taskPaths(home, id);
  const [spec, state, plan, questions, logTime, planTime, hasOutput] = await Promise.all([
    readSpec(home, id),
    reconcileTask(home, id, now),
    readTextOrUndefined(paths.plan),
    openQuestions(home, id),
    mtime(paths.log),
    mtime(paths.plan),
    Deno.lstat(paths.output).then(() => true, () => false),
  ]);
  const shown: TaskStateName = !TERMINAL.has(state.state) && questions.length > 0 ? "waiting" : state.state;
  const times = [logTime, planTime].filter((t): t is number => t !== undefined);
  return {
    spec,
    state,
    shown,
    progress: progressOf(plan ?? ""),
    questions,
    lastActivity: times.length ? Math.max(...times) : undefined,
    outputPath: paths.output,
    hasOutput,
  };
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
