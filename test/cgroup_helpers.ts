/**
 * Test helpers for cgroup containment: where this machine lets us make a
 * cgroup v2 (tests that need one are skipped elsewhere, saying so), and an
 * escapee: a SIGTERM-ignoring sleeper double-forked into a new session with
 * an empty environment, started inside a given cgroup.
 * @module
 */
import assert from "node:assert/strict";
import { cgroupOf, createTaskCgroup, findMount, pidsIn, removeCgroup } from "../src/proc/cgroup.ts";

/** A cgroup we may make children of here, or undefined (no cgroup v2, or not writable). */
export function writableCgroupParent(): string | undefined {
  const mount = findMount();
  if (mount === undefined) return undefined;
  for (const parent of new Set([cgroupOf("self", mount), mount])) {
    if (parent === undefined) continue;
    try {
      if (removeCgroup(createTaskCgroup(parent, `probe-${Deno.pid}`))) return parent;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The shell text that double-forks the escapee, which writes its pid to the file named by `$1`. */
export const ESCAPEE_SH =
  `( setsid env -i sh -c 'trap "" TERM; echo $$ >"$0.tmp" && mv "$0.tmp" "$0"; exec sleep 1000' "$1" </dev/null >/dev/null 2>&1 & )`;

/** Starts an escapee inside cgroup `dir` (its pid is written to `pidFile`); resolves with its pid. */
export async function escapeeIn(dir: string, pidFile: string): Promise<number> {
  const script = `echo $$ >"$2/cgroup.procs" && ${ESCAPEE_SH}`;
  const out = await new Deno.Command("sh", { args: ["-c", script, "sh", pidFile, dir] }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  for (let i = 0; i < 800; i++) {
    const pid = Number(await Deno.readTextFile(pidFile).catch(() => ""));
    if (pid > 1 && pidsIn(dir).includes(pid)) return pid;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("the escapee never started");
}
