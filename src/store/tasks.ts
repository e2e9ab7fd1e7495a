/**
 * The task registry on disk: `tasks/<id>/task.json` (the spec, written once
 * except for its owning session) and `state.json` (runtime facts), both
 * written atomically and changed only under the task's lock.
 * @module
 */
import { NotFoundError } from "../errors.ts";
import type { Tier } from "../tier.ts";
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
  worktree?: { path: string; branch: string };
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
}

/** Reads a task's spec; NotFoundError when there is no such task. */
export function readSpec(home: string, id: string): TaskSpec {
  const spec = readJsonSyncOrUndefined<TaskSpec>(taskPaths(home, id).task);
  if (!spec) throw new NotFoundError(`No such task: ${id} (see 'dispatch status --all')`);
  return spec;
}

/** Reads a task's spec, or undefined when it is missing or unreadable (a half-deleted task). */
export function trySpec(home: string, id: string): TaskSpec | undefined {
  try {
    return readSpec(home, id);
  } catch {
    return undefined;
  }
}

/** Reads a task's state (`starting` when the supervisor has not written one yet). */
export function readState(home: string, id: string): TaskState {
  return readJsonSyncOrUndefined<TaskState>(taskPaths(home, id).state) ?? { state: "starting" };
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
    const next = fn(current);
    if (!next) return current;
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
