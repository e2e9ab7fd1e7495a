/**
 * The local runner: the worker's wrapper as a detached process group on this
 * machine, stopped with its whole tree (and its cgroup, when it has one).
 * @module
 */
import { killTree } from "../proc/kill_tree.ts";
import { spawnDetachedChild } from "../proc/spawn.ts";
import type { StartedWorker, WorkerCommand } from "./runner.ts";

/** Where the local worker belongs, for stopping it. */
export interface LocalTarget {
  task: string;
  home: string;
  cgroup?: string;
}

/** Starts `cmd` here; resolves at once (a local worker runs as soon as it is spawned). */
export function startLocal(cmd: WorkerCommand, target: LocalTarget): StartedWorker {
  const child = spawnDetachedChild(cmd.argv, { cwd: cmd.cwd, env: cmd.env });
  const stop = async (graceMs?: number) => {
    await killTree({ pid: child.pid, ...target }, graceMs);
  };
  return {
    pid: child.pid,
    running: Promise.resolve(),
    status: child.status.then((s) => ({ code: s.code, signal: s.signal })),
    stop,
    cleanup: () => Promise.resolve(), // the supervisor stops what the tree left (supervisor.ts)
  };
}
