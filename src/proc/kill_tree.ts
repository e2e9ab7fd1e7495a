/**
 * Stopping a worker and everything it started. Worker CLIs run their tool
 * shells in new sessions and some ignore SIGTERM (see notes/worker-clis.md),
 * so signalling one pid or one group is not enough: we collect the tree from
 * /proc (descendants, members of their groups, and processes that carry the
 * task's `DISPATCH_TASK` in their environment, which catches tools already
 * orphaned to init), signal it, and SIGKILL what survives a grace period.
 * @module
 */
import { hasEnvEntries, isAlive, isSignallablePid, listProcesses, type ProcStat } from "./procfs.ts";

/** What to stop. */
export interface KillTarget {
  /** The worker's root pid (its process group leader). */
  pid?: number;
  /** The task id the worker's environment carries as DISPATCH_TASK. */
  task?: string;
  /**
   * The task's `$DISPATCH_HOME`, which the worker's environment carries too:
   * task ids are unique within one home only, so the match needs both.
   */
  home?: string;
}

/** Pids of the tree: never this process or its ancestors. */
export function collectTree(target: KillTarget, procs: ProcStat[] = listProcesses()): number[] {
  const protectedPids = new Set<number>([Deno.pid]);
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  for (let p = byPid.get(Deno.pid); p && p.ppid > 1 && !protectedPids.has(p.ppid); p = byPid.get(p.ppid)) {
    protectedPids.add(p.ppid);
  }
  const members = new Set<number>();
  const groups = new Set<number>();
  if (isSignallablePid(target.pid)) {
    members.add(target.pid);
    groups.add(target.pid);
  }
  const envEntries = target.task
    ? [`DISPATCH_TASK=${target.task}`, ...(target.home ? [`DISPATCH_HOME=${target.home}`] : [])]
    : undefined;
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (members.has(p.pid) || protectedPids.has(p.pid) || p.state === "Z") continue;
      if (members.has(p.ppid) || groups.has(p.pgrp) || (envEntries && hasEnvEntries(p.pid, envEntries))) {
        members.add(p.pid);
        groups.add(p.pgrp);
        grew = true;
      }
    }
  }
  for (const pid of protectedPids) members.delete(pid);
  return [...members];
}

function signalAll(pids: number[], signal: Deno.Signal): void {
  for (const pid of pids) {
    try {
      Deno.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Sends SIGTERM to the whole tree, waits up to `graceMs` for it to go, then
 * SIGKILLs the rest (re-collecting, so children spawned meanwhile go too).
 * Resolves with the number of processes signalled.
 */
export async function killTree(target: KillTarget, graceMs = 3000): Promise<number> {
  const first = collectTree(target);
  signalAll(first, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (collectTree(target).every((pid) => !isAlive(pid))) return first.length;
    await new Promise((r) => setTimeout(r, 50));
  }
  for (let round = 0; round < 5; round++) {
    const rest = collectTree(target).filter((pid) => isAlive(pid));
    if (rest.length === 0) break;
    signalAll(rest, "SIGKILL");
    await new Promise((r) => setTimeout(r, 50));
  }
  return first.length;
}
