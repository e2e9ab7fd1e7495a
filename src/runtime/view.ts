/**
 * Everything a reader (status, hooks, watch) shows about one task, gathered
 * in one pass, after reconciling it with the processes that really exist.
 * @module
 */
import type { Ctx } from "../context.ts";
import { InputError, NotFoundError } from "../errors.ts";
import { type Progress, progressOf } from "../plan/checklist.ts";
import { mtimeSync, readFrom } from "../store/fsx.ts";
import { readPlanSync } from "../store/plan_file.ts";
import { taskPaths } from "../store/paths.ts";
import { openQuestions, type Question } from "../store/questions.ts";
import { shownQuestions } from "../store/permissions.ts";
import {
  readSpec,
  readState,
  type TaskSpec,
  type TaskState,
  type TaskStateName,
  TERMINAL,
} from "../store/tasks.ts";
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
  /** Set when part of the task could not be read (task.json or state.json): what, and why. */
  damaged?: string;
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
    progress: progressOf(readPlanSync(paths.plan) ?? ""),
    questions,
    lastActivity: times.length ? Math.max(...times) : undefined,
    outputPath: paths.output,
    hasOutput: mtimeSync(paths.output) !== undefined,
  };
}

/**
 * Loads one task's view, reconciling it first unless it has ended. A task
 * that cannot be fully read is still shown, marked `damaged`, with what
 * could be read; only a task with no folder and no task.json is not found.
 */
export async function loadView(ctx: Pick<Ctx, "home" | "now">, id: string): Promise<TaskView> {
  let spec: TaskSpec;
  try {
    spec = readSpec(ctx.home, id);
  } catch (e) {
    // A folder with no task.json is a start cut short (it writes task.json last): listed, not hidden.
    const halfMade = e instanceof NotFoundError && mtimeSync(taskPaths(ctx.home, id).dir) !== undefined;
    if (!(e instanceof InputError) && !halfMade) throw e;
    const state = readState(ctx.home, id);
    const missing = mtimeSync(taskPaths(ctx.home, id).task) === undefined;
    const view = assembleView(ctx.home, placeholderSpec(ctx.home, id, missing), state);
    const damaged = missing
      ? "task.json is missing: its start was interrupted ('dispatch gc' removes it after 30 s)"
      : `task.json is unreadable${state.unreadable ? ", and so is state.json" : ""}`;
    return { ...view, damaged };
  }
  let state = readState(ctx.home, id);
  // An end event a crash left unjournaled is journaled by the reconcile too (runtime/announce.ts).
  if (
    !TERMINAL.has(state.state) || state.unreadable !== undefined ||
    mtimeSync(taskPaths(ctx.home, id).announce)
  ) {
    state = await reconcileTask(ctx, id).catch(() => state); // a full disk: show what is there
  }
  const assembled = assembleView(ctx.home, spec, state);
  // A permission request shows what the supervisor journaled, not what the worker's file says now.
  const questions = await shownQuestions(ctx.home, id, assembled.questions);
  const view = questions === assembled.questions || questions.length > 0
    ? { ...assembled, questions }
    : { ...assembled, questions, shown: state.state };
  return state.unreadable !== undefined
    ? { ...view, damaged: `state.json is unreadable: ${state.unreadable}` }
    : view;
}

/** A stand-in spec for a task whose task.json is damaged, so it is listed rather than hidden. */
function placeholderSpec(home: string, id: string, missing: boolean): TaskSpec {
  const dir = taskPaths(home, id).dir;
  return {
    id,
    title: missing ? "(start interrupted)" : "(task.json unreadable)",
    project: "",
    cwd: "",
    backend: "?",
    model: "damaged", // the board's model column shows "damaged/?"
    modelId: "?",
    tier: "edit",
    created: mtimeSync(dir) ?? 0,
  };
}

/** Last `n` lines of the worker's log (reads only the file's tail). */
export async function logTail(
  ctx: Pick<Ctx, "home">,
  id: string,
  n: number,
  maxBytes = 64 * 1024,
): Promise<string[]> {
  const tail = await readFrom(taskPaths(ctx.home, id).log, (size) => Math.max(0, size - maxBytes));
  if (!tail) return [];
  const lines = new TextDecoder().decode(tail.bytes).split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (tail.start > 0) lines.shift(); // first line is probably cut
  return lines.slice(-n);
}
