/**
 * Who is calling: a task's worker, or the host. Told by the process tree, not
 * by the environment (which a worker controls): the supervisor records the
 * pid and `/proc` start time of each worker's wrapper, and that wrapper's own
 * environment (set by the supervisor, out of the worker's reach) names the
 * task. A caller is task X's worker when one of its ancestors is X's
 * recorded wrapper.
 * @module
 */
import { type ProcStat, readStat } from "../proc/procfs.ts";
import { readState } from "../store/tasks.ts";
import { taskPaths } from "../store/paths.ts";

/** Deeper than any real process tree; stops a cycle in a corrupt /proc read. */
const MAX_DEPTH = 256;

/** The ancestors of `pid` (itself excluded), nearest first, up to init. */
export function ancestors(pid: number = Deno.pid): ProcStat[] {
  const out: ProcStat[] = [];
  let next = readStat(pid)?.ppid;
  while (next !== undefined && next > 0 && out.length < MAX_DEPTH) {
    const stat = readStat(next);
    if (!stat) break;
    out.push(stat);
    next = stat.ppid;
  }
  return out;
}

/** The value of `DISPATCH_TASK` in process `pid`'s initial environment, if readable. */
export function taskInEnviron(pid: number): string | undefined {
  try {
    const env = new TextDecoder().decode(Deno.readFileSync(`/proc/${pid}/environ`));
    for (const entry of env.split("\0")) {
      if (entry.startsWith("DISPATCH_TASK=")) return entry.slice("DISPATCH_TASK=".length);
    }
  } catch {
    // gone, or not ours to read (a non-dumpable CLI): not a wrapper either way
  }
  return undefined;
}

/** What {@linkcode workerIdentity} found. */
export interface Identity {
  /** The task whose recorded worker is an ancestor of the caller (the nearest one). */
  task?: string;
  /** Tasks that ancestors' environments name but that were not verified (yet): a race with the supervisor, or a forgery. */
  claimed: string[];
}

function validId(id: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,63}$/.test(id);
}

/** The task whose worker `chain` (a caller's ancestors) runs in, verified by pid and start time. */
export function workerIdentity(home: string, chain: ProcStat[] = ancestors()): Identity {
  const claimed: string[] = [];
  for (const proc of chain) {
    const id = taskInEnviron(proc.pid);
    if (id === undefined || !validId(id)) continue;
    let state;
    try {
      state = readState(home, id);
    } catch {
      state = undefined; // a state.json we cannot read verifies nothing
    }
    if (state?.pid === proc.pid && state.pidStart !== undefined && state.pidStart === proc.startTime) {
      return { task: id, claimed };
    }
    claimed.push(id);
  }
  return { claimed };
}

/**
 * True when the caller runs inside some task's worker: its own environment or
 * any ancestor's names a task. Hooks and `watch` consume nothing there. No
 * verification needed: a false positive only keeps a process silent.
 */
export function insideWorker(
  env: Record<string, string>,
  chain: ProcStat[] = ancestors(),
): string | undefined {
  if (env.DISPATCH_TASK) return env.DISPATCH_TASK;
  for (const proc of chain) {
    const id = taskInEnviron(proc.pid);
    if (id) return id;
  }
  return undefined;
}

/**
 * True when any ancestor's environment carries `DISPATCH_TASK`, even empty:
 * the stricter test for granting something (an approval), where
 * {@linkcode insideWorker} only decides whether to stay silent.
 */
export function ancestorCarriesTask(chain: ProcStat[] = ancestors()): boolean {
  return chain.some((proc) => taskInEnviron(proc.pid) !== undefined);
}

async function canCreateIn(dir: string): Promise<boolean> {
  try {
    const probe = await Deno.makeTempFile({ dir, prefix: ".probe-" });
    await Deno.remove(probe).catch(() => {});
    return true;
  } catch {
    return false;
  }
}

/**
 * What a sandbox lets the caller write: `own` when it may write task `id`'s
 * work folder but not the tasks folder around it (a CLI's sandbox that grants its
 * task's folder only: the sandbox itself proves whose worker this is, even in
 * a pid namespace where the process tree ends early), `other` when it may
 * write neither, `none` when it is not confined.
 */
export async function confinement(home: string, id: string): Promise<"own" | "other" | "none"> {
  if (await canCreateIn(`${home}/tasks`)) return "none";
  return await canCreateIn(taskPaths(home, id).work) ? "own" : "other";
}
