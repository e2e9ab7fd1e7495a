/**
 * Process facts from `/proc` (Linux): liveness that treats zombies as dead,
 * and identity by start time so a recycled pid is never mistaken for ours.
 * Elsewhere it falls back to `kill(pid, 0)`.
 * @module
 */

/** The fields of `/proc/<pid>/stat` we use. */
export interface ProcStat {
  pid: number;
  /** One letter: R, S, D, Z, T... */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Clock ticks since boot when the process started: its identity with the pid. */
  startTime: string;
}

const HAS_PROC = (() => {
  try {
    Deno.statSync("/proc/self/stat");
    return true;
  } catch {
    return false;
  }
})();

/** True when `pid` is a number we may safely signal (never 0, -1, NaN or init). */
export function isSignallablePid(pid: unknown): pid is number {
  return typeof pid === "number" && Number.isSafeInteger(pid) && pid > 1;
}

/** Parses one `/proc/<pid>/stat` line (the command name may hold spaces and parens). */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const pid = Number(text.slice(0, text.indexOf(" ")));
  const rest = text.slice(close + 2).split(" ");
  // rest[0] is field 3 (state); field 22 (starttime) is rest[19].
  if (rest.length < 20) return undefined;
  return {
    pid,
    state: rest[0]!,
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    session: Number(rest[3]),
    startTime: rest[19]!,
  };
}

/** Reads one process's stat, or undefined when it is gone. */
export function readStat(pid: number): ProcStat | undefined {
  if (!HAS_PROC) return undefined;
  try {
    return parseStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return undefined;
  }
}

/** The start-time token of a live process (undefined without /proc). */
export function startTimeOf(pid: number): string | undefined {
  return readStat(pid)?.startTime;
}

/**
 * True when the process exists, is not a zombie, and (when `startTime` is
 * given) is the same process that had that start time.
 */
export function isAlive(pid: number | undefined, startTime?: string): boolean {
  if (!isSignallablePid(pid)) return false;
  if (HAS_PROC) {
    const stat = readStat(pid);
    if (!stat || stat.state === "Z" || stat.state === "X") return false;
    return startTime === undefined || stat.startTime === startTime;
  }
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** Every process visible in /proc. */
export function listProcesses(): ProcStat[] {
  if (!HAS_PROC) return [];
  const out: ProcStat[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = readStat(Number(entry.name));
    if (stat) out.push(stat);
  }
  return out;
}

/** True when the process's environment holds every `KEY=value` entry exactly. */
export function hasEnvEntries(pid: number, entries: readonly string[]): boolean {
  try {
    const env = new TextDecoder().decode(Deno.readFileSync(`/proc/${pid}/environ`)).split("\0");
    return entries.every((entry) => env.includes(entry));
  } catch {
    return false;
  }
}

/** Live (non-zombie) processes whose environment holds `KEY=value`: a task's whole tree carries DISPATCH_TASK. */
export function livePidsWithEnv(entry: string): number[] {
  return listProcesses().filter((p) => p.state !== "Z" && p.state !== "X" && hasEnvEntries(p.pid, [entry]))
    .map((
      p,
    ) => p.pid);
}
