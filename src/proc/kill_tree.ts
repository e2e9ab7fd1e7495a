/**
 * Stopping a worker and everything it started. Worker CLIs run their tool
 * shells in new sessions and some ignore SIGTERM (see notes/worker-clis.md),
 * so signalling one pid or one group is not enough: we collect the tree from
 * /proc (descendants, members of their groups, and processes that carry the
 * task's `DISPATCH_TASK` in their environment, which catches tools already
 * orphaned to init), signal it, and SIGKILL what survives a grace period.
 * When the task has a cgroup (see `containment.ts`), everything in it is
 * part of the tree too, so a process that double-forked into a new session
 * with a scrubbed environment still goes; the cgroup is removed after.
 * @module
 */
import {
  cgroupName,
  cgroupOf,
  isEmpty,
  isTaskCgroup,
  isWithin,
  killAll,
  pidsIn,
  removeCgroup,
} from "./cgroup.ts";
import { hasEnvEntries, isAlive, isSignallablePid, listProcesses, type ProcStat } from "./procfs.ts";

/** What to stop. */
export interface KillTarget {
  /** The worker's root pid (its process group leader). */
  pid?: number;
  /** The task id the worker's environment carries as DISPATCH_TASK. */
  task?: string;
  /** The task's cgroup; ignored unless it is the one of `task` in `home` (a state file may be forged). */
  cgroup?: string;
  /**
   * The task's `$DISPATCH_HOME`, which names its cgroup and which the
   * worker's environment carries too: task ids are unique within one home
   * only, so the environment match needs both.
   */
  home?: string;
}

/** Options for {@linkcode killTree}. */
export interface KillOptions {
  /** Use `cgroup.kill` where the kernel has it (tests turn it off to prove the per-pid fallback). */
  useKillFile?: boolean;
}

/** This process and its ancestors: never signalled. */
function protectedPidsOf(procs: ProcStat[]): Set<number> {
  const protectedPids = new Set<number>([Deno.pid]);
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  for (let p = byPid.get(Deno.pid); p && p.ppid > 1 && !protectedPids.has(p.ppid); p = byPid.get(p.ppid)) {
    protectedPids.add(p.ppid);
  }
  return protectedPids;
}

/** Pids of the tree: never this process or its ancestors. */
export function collectTree(target: KillTarget, procs: ProcStat[] = listProcesses()): number[] {
  const protectedPids = protectedPidsOf(procs);
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

const pause = () => new Promise((r) => setTimeout(r, 50));

/**
 * Sends SIGTERM to the whole tree (and everything in the task's cgroup),
 * waits up to `graceMs` for it to go, then SIGKILLs the rest: the cgroup
 * at once by `cgroup.kill`, or pid by pid, re-collecting so children spawned
 * meanwhile go too; then removes the emptied cgroup. A cgroup holding this
 * process itself (a worker cancelling its own task) is never killed whole.
 * Resolves with the number of processes signalled first.
 */
export async function killTree(target: KillTarget, graceMs = 3000, opts: KillOptions = {}): Promise<number> {
  const { cgroup, task, home } = target;
  const cg = cgroup && task && home && isTaskCgroup(cgroup, cgroupName(task, home)) ? cgroup : undefined;
  const self = cg === undefined ? undefined : cgroupOf("self");
  const wholeCgroup = cg !== undefined && !(self !== undefined && isWithin(self, cg));
  const collect = () => {
    const procs = listProcesses();
    const pids = new Set(collectTree(target, procs));
    if (cg !== undefined) {
      const protectedPids = protectedPidsOf(procs);
      for (const pid of pidsIn(cg)) if (!protectedPids.has(pid)) pids.add(pid);
    }
    return [...pids];
  };
  const gone = () => collect().every((pid) => !isAlive(pid)) && (!wholeCgroup || isEmpty(cg!));
  const first = collect();
  signalAll(first, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && !gone()) await pause();
  // A cgroup may take a moment to empty after SIGKILL; the tree alone gets five rounds as before.
  for (let round = 0; round < (wholeCgroup ? 100 : 5) && !gone(); round++) {
    if (wholeCgroup) killAll(cg!, opts);
    signalAll(collect().filter((pid) => isAlive(pid)), "SIGKILL");
    await pause();
  }
  if (wholeCgroup && isEmpty(cg!)) removeCgroup(cg!);
  return first.length;
}
