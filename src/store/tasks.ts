/**
 * The task registry on disk: `tasks/<id>/task.json` (the spec, written once
 * except for its owning session) and `state.json` (runtime facts), both
 * written atomically and changed only under the task's lock.
 * @module
 */
import { InputError, NotFoundError } from "../errors.ts";
import type { Tier } from "../tier.ts";
import type { Rules } from "../rules.ts";
import { listDir, readJsonSyncOrUndefined, writeJsonAtomic } from "./fsx.ts";
import { homePaths, taskPaths } from "./paths.ts";
import { withLock } from "./lock.ts";

/** What the host asked for. */
export interface TaskSpec {
  id: string;
  title: string;
  /** The project folder the task was dispatched from. */
  project: string;
  /** Where the worker runs: the project or its worktree. */
  cwd: string;
  backend: string;
  /** The model name as configured (a key of `models:`). */
  model: string;
  /** The id the CLI is given. */
  modelId: string;
  alias?: string;
  tier: Tier;
  /** The host session that owns the task and hears about it. */
  session?: string;
  created: number;
  timeoutMs?: number;
  stallMs?: number;
  worktree?: WorktreeSpec;
  /** How many checklist items the plan had at start: `done` needs that many ticked. */
  planItems?: number;
  /**
   * The worker's effective shell rules, fixed at start (defaults, plan's test command,
   * config, alias, project file, flags), so `resume` uses the same ones. Absent: none.
   */
  permissions?: Rules;
  /** Where the worker runs, fixed at start (runtime/runner.ts); absent: on this machine. */
  runner?: RunnerSpec;
}

/** A non-local runner as the task uses it: the config's entry, resolved when the task started. */
export interface RunnerSpec {
  /** Its name in `runners:`. */
  name: string;
  type: "slurm";
  /** Flags for the scheduler's submit command (e.g. sbatch's --partition, --time). */
  args: string[];
  /** How often to look at the task's folders and the job: inotify does not cross a shared filesystem. */
  pollMs: number;
  /** The scheduler clients' environment (PATH, SLURM_*), so any reader asks the same cluster. */
  env: Record<string, string>;
}

/** A worktree task's worktree, fixed at start (runtime/worktree.ts). */
export interface WorktreeSpec {
  path: string;
  branch: string;
  /** The commit the branch started from: what diff, the change line and overlap compare against. */
  base?: string;
  /** The setup command the supervisor runs in the worktree before the worker, and its limit. */
  setup?: { command: string; timeoutMs: number; from: string };
  /** Files changed or untracked in the user's checkout at start: work the worker does not see. */
  uncommitted?: number;
}

/** Lifecycle states. `waiting` means a question is open. */
export type TaskStateName =
  | "queued"
  | "starting"
  | "running"
  | "waiting"
  | "stalled"
  | "done"
  | "failed"
  | "cancelled";

/** States a task never leaves (short of `resume`). */
export const TERMINAL: ReadonlySet<TaskStateName> = new Set(["done", "failed", "cancelled"]);

/** Token and cost figures, summed over the task's runs. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
}

/** Runtime facts. */
export interface TaskState {
  state: TaskStateName;
  /** When the task entered `starting` or `queued` (to tell a lost supervisor from a slow one). */
  since?: number;
  /** The worker's root pid, also its process group id. */
  pid?: number;
  /** /proc start time of `pid`, so a recycled pid is not mistaken for it. */
  pidStart?: string;
  supervisor?: number;
  supervisorStart?: string;
  started?: number;
  ended?: number;
  code?: number | null;
  reason?: string;
  /** The worker CLI's own session id, for resume. */
  nativeSession?: string;
  usage?: Usage;
  runs?: number;
  containment?: { kind: "cgroup"; path: string } | { kind: "process-tree" }; // see proc/containment.ts
  /** The OS sandbox of the latest run: dispatch's bubblewrap, or none beyond the CLI's own (runtime/sandbox.ts). */
  sandbox?: "bwrap" | "none";
  /** Protected project files the worker changed, which the supervisor put back (runtime/guard.ts). */
  guarded?: string[];
  /** Set by `dispatch merge`: the branch it went into and the commit it made there. */
  merged?: { at: number; into: string; commit: string };
  /** The scheduler's job of the latest run, for a task on a runner such as Slurm (runtime/runner.ts). */
  job?: { id: string };
  /**
   * Set (never stored) when state.json could not be read: what was wrong.
   * The rest is a stand-in, so a reader must not act on it as fact.
   */
  unreadable?: string;
}

const STATE_NAMES: ReadonlySet<string> = new Set<TaskStateName>([
  "queued",
  "starting",
  "running",
  "waiting",
  "stalled",
  "done",
  "failed",
  "cancelled",
]);

/** Why `value` is not a spec of task `id`, or undefined when it is one. */
function specProblem(value: unknown, id: string): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "it is not a JSON object";
  const v = value as Record<string, unknown>;
  if (v.id !== id) return `it names task ${JSON.stringify(v.id)}`;
  // What every reader relies on; the rest has defaults where it is used.
  for (const key of ["title", "project", "cwd"]) {
    if (typeof v[key] !== "string") return `its ${key} is missing`;
  }
  if (typeof v.created !== "number") return "its created time is missing";
  return undefined;
}

/** Reads a JSON file: its value, undefined when missing, or the reason it cannot be read. */
function readJsonSafe(path: string): { value?: unknown; problem?: string } {
  try {
    return { value: readJsonSyncOrUndefined<unknown>(path) };
  } catch (e) {
    if (e instanceof SyntaxError) return { problem: "it is not valid JSON (truncated or overwritten)" };
    if (e instanceof Deno.errors.IsADirectory) return { problem: "it is a directory" };
    if (e instanceof TypeError) return { problem: "it is not UTF-8 text" };
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Reads a task's spec; NotFoundError when there is no such task, InputError
 * (one line) when its task.json is damaged.
 */
export function readSpec(home: string, id: string): TaskSpec {
  const path = taskPaths(home, id).task;
  const read = readJsonSafe(path);
  if (read.problem === undefined && read.value === undefined) {
    throw new NotFoundError(`No such task: ${id} (see 'dispatch status --all')`);
  }
  const problem = read.problem ?? specProblem(read.value, id);
  if (problem !== undefined) {
    throw new InputError(
      `Task ${id} is damaged: ${path} cannot be used (${problem}); look at it, or remove the task's folder`,
    );
  }
  return read.value as TaskSpec;
}

/** Reads a task's spec, or undefined when it is missing or unreadable (a half-deleted task). */
export function trySpec(home: string, id: string): TaskSpec | undefined {
  try {
    return readSpec(home, id);
  } catch {
    return undefined;
  }
}

/**
 * Reads a task's state (`starting` when the supervisor has not written one
 * yet). Never throws: a truncated or nonsensical state.json gives a
 * stand-in `running` state with `unreadable` set, so the supervisor lives on
 * (its next write repairs the file) and readers ask the processes instead.
 */
export function readState(home: string, id: string): TaskState {
  const path = taskPaths(home, id).state;
  const read = readJsonSafe(path);
  if (read.problem === undefined && read.value === undefined) return { state: "starting" };
  let problem = read.problem;
  const v = read.value as Record<string, unknown> | undefined;
  if (problem === undefined) {
    if (typeof v !== "object" || v === null || Array.isArray(v)) problem = "it is not a JSON object";
    else if (typeof v.state !== "string" || !STATE_NAMES.has(v.state)) problem = "it holds no valid state";
  }
  if (problem === undefined) return v as unknown as TaskState;
  return { state: "running", reason: `state.json is unreadable: ${problem}`, unreadable: problem };
}

/** The state as stored: without the marks only a read adds. */
export function storable(state: TaskState): TaskState {
  if (state.unreadable === undefined) return state;
  const { unreadable: _, ...rest } = state;
  if (rest.reason?.startsWith("state.json is unreadable")) delete rest.reason;
  return rest;
}

/** Writes a spec (on creation, or when a session adopts the task). */
export function writeSpec(home: string, spec: TaskSpec): Promise<void> {
  return writeJsonAtomic(taskPaths(home, spec.id).task, spec);
}

/** Runs `fn` under the task's lock. */
export function withTaskLock<T>(home: string, id: string, fn: () => Promise<T>): Promise<T> {
  return withLock(taskPaths(home, id).lock, fn);
}

/**
 * Read-modify-write of state.json under the task's lock. `fn` returns the
 * new state, or undefined to leave it unchanged. Resolves with the state now
 * on disk.
 */
export function updateState(
  home: string,
  id: string,
  fn: (current: TaskState) => TaskState | undefined,
): Promise<TaskState> {
  return withTaskLock(home, id, async () => {
    const current = readState(home, id);
    const fresh = fn(current);
    if (!fresh) return current;
    const next = storable(fresh);
    await writeJsonAtomic(taskPaths(home, id).state, next);
    return next;
  });
}

/** Every task id on disk, oldest first (ids sort by name; callers sort by time). */
export async function listTaskIds(home: string): Promise<string[]> {
  return (await listDir(homePaths(home).tasks)).filter((n) => !n.startsWith("."));
}

/** The ids among `ids` whose task has not ended. */
export function unfinished(home: string, ids: string[]): string[] {
  return ids.filter((id) => !TERMINAL.has(readState(home, id).state));
}
