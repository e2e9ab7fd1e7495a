/**
 * How a task's processes are held together, chosen per run: a cgroup of
 * its own where the machine offers cgroup v2 and lets us make one (below
 * the cgroup we run in, else below the hierarchy's root), otherwise the
 * process tree (descendants, their groups, DISPATCH_TASK in the environment).
 * The worker's wrapper shell joins the cgroup before it starts the CLI; the
 * supervisor then checks with the kernel that it did, and records which
 * containment the task really got.
 * @module
 */
import { cgroupName, cgroupOf, createTaskCgroup, findMount, isTaskCgroup } from "./cgroup.ts";
import { isAlive } from "./procfs.ts";

/** The containment a task got, as recorded in its state and shown by `status --json`. */
export type Containment = { kind: "cgroup"; path: string } | { kind: "process-tree" };

/** Set to `process-tree` in the environment to skip cgroups (tests force the fallback with it). */
export const CONTAINMENT_ENV = "DISPATCH_CONTAINMENT";

/**
 * Makes the task's cgroup when we can: returns its path (for the wrapper to
 * join), or undefined for process-tree containment. Never throws.
 */
export function prepareCgroup(
  task: string,
  home: string,
  env: Record<string, string | undefined>,
): string | undefined {
  if (env[CONTAINMENT_ENV] === "process-tree") return undefined;
  const mount = findMount();
  if (mount === undefined) return undefined;
  const own = cgroupOf("self", mount);
  const name = cgroupName(task, home);
  for (const parent of new Set([own, mount])) {
    if (parent === undefined) continue;
    try {
      const dir = createTaskCgroup(parent, name);
      if (isTaskCgroup(dir, name, mount)) return dir;
    } catch {
      // not writable here: try the next place, then fall back
    }
  }
  return undefined;
}

/** The `cgroup.procs` file the wrapper writes its pid to ("" for none: the wrapper skips joining). */
export function joinFile(cgroup: string | undefined): string {
  return cgroup === undefined ? "" : `${cgroup}/cgroup.procs`;
}

/**
 * Waits (on the kernel's word, `/proc/<pid>/cgroup`) until the wrapper `pid`
 * is in `cgroup`, and says which containment the task got. A wrapper that
 * could not join, or ended before it was seen in the cgroup with nothing
 * having run there, leaves the task with process-tree containment.
 */
export async function confirmCgroup(
  cgroup: string | undefined,
  pid: number,
  capMs = 5000,
): Promise<Containment> {
  if (cgroup === undefined) return { kind: "process-tree" };
  const deadline = Date.now() + capMs;
  for (;;) {
    const now = cgroupOf(pid);
    if (now === cgroup) return { kind: "cgroup", path: cgroup };
    // Gone (or a zombie, whose cgroup reads as the root), or it stayed where it was.
    if (now === undefined || !isAlive(pid) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return ranIn(cgroup) ? { kind: "cgroup", path: cgroup } : { kind: "process-tree" };
}

/** True when some process has used CPU in the cgroup: a wrapper that joined and ended quickly. */
function ranIn(cgroup: string): boolean {
  try {
    const m = /^usage_usec (\d+)$/m.exec(Deno.readTextFileSync(`${cgroup}/cpu.stat`));
    return m !== null && Number(m[1]) > 0;
  } catch {
    return false;
  }
}
