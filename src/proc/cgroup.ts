/**
 * cgroup v2 primitives (Linux): find the unified hierarchy, make a task's
 * cgroup, list and kill what is in it, remove it. A process cannot leave a
 * cgroup by forking, `setsid` or scrubbing its environment, so a task's
 * cgroup holds everything its worker started (short of a process allowed to
 * write another cgroup's `cgroup.procs`).
 * @module
 */

/** Where the cgroup2 hierarchy is mounted, from `/proc/self/mountinfo` text (undefined when none). */
export function cgroup2Mount(mountinfo: string): string | undefined {
  for (const line of mountinfo.split("\n")) {
    // Fields: id parent major:minor root mountpoint options [optional...] - fstype source superopts
    const [left, right] = line.split(" - ");
    if (!left || !right || right.split(" ")[0] !== "cgroup2") continue;
    const mountPoint = left.split(" ")[4];
    if (mountPoint) return unescapeMount(mountPoint);
  }
  return undefined;
}

function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(parseInt(oct, 8)));
}

/** This process's cgroup v2 path relative to the mount (`/` for the root), from `/proc/<pid>/cgroup` text. */
export function ownCgroup(procCgroup: string): string | undefined {
  const line = procCgroup.split("\n").find((l) => l.startsWith("0::"));
  return line?.slice(3);
}

function readOr(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** The cgroup2 mount point of this machine, or undefined where there is none (or no /proc). */
export function findMount(): string | undefined {
  const text = readOr("/proc/self/mountinfo");
  return text === undefined ? undefined : cgroup2Mount(text);
}

/** The absolute cgroup directory process `pid` is in (undefined when gone or not on cgroup v2). */
export function cgroupOf(pid: number | "self", mount = findMount()): string | undefined {
  const text = mount === undefined ? undefined : readOr(`/proc/${pid}/cgroup`);
  const rel = text === undefined ? undefined : ownCgroup(text);
  if (mount === undefined || rel === undefined || rel.includes("(deleted)")) return undefined;
  return rel === "/" ? mount : `${mount}${rel}`;
}

/**
 * The name of a task's cgroup: its id and a hash of its DISPATCH_HOME, so
 * two homes' tasks of the same id (tests, two users) never share one.
 */
export function cgroupName(task: string, home: string): string {
  let h = 0x811c9dc5; // FNV-1a, 32 bits: a name, not a secret
  for (const b of new TextEncoder().encode(home)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return `${task}-${h.toString(16).padStart(8, "0")}`;
}

/**
 * True when `path` is a cgroup `dispatch/<name>` inside a cgroup2 mount: the
 * only kind of directory we ever kill or remove (a forged path in a state
 * file cannot aim us at another cgroup).
 */
export function isTaskCgroup(path: string, name: string, mount = findMount()): boolean {
  if (mount === undefined || !name || name.includes("/") || name === "." || name === "..") return false;
  if (!path.startsWith(`${mount}/`) || !path.endsWith(`/dispatch/${name}`)) return false;
  return !path.split("/").some((part) => part === "." || part === "..");
}

/** Creates `<parent>/dispatch/<name>` (and `dispatch/`), returning its path; throws when it cannot. */
export function createTaskCgroup(parent: string, name: string): string {
  const dir = `${parent}/dispatch/${name}`;
  Deno.mkdirSync(dir, { recursive: true });
  // A directory made outside cgroupfs (a plain tmpfs at the mount) is no cgroup.
  Deno.statSync(`${dir}/cgroup.procs`);
  return dir;
}

/** The cgroup's directories, children first, so they can be removed in order. */
function treeOf(dir: string): string[] {
  const out: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) if (e.isDirectory) out.push(...treeOf(`${dir}/${e.name}`));
  } catch {
    return out;
  }
  out.push(dir);
  return out;
}

/** Every pid in the cgroup and the cgroups below it (a worker may have made some). */
export function pidsIn(dir: string): number[] {
  const pids: number[] = [];
  for (const d of treeOf(dir)) {
    for (const line of (readOr(`${d}/cgroup.procs`) ?? "").split("\n")) {
      const pid = Number(line);
      if (Number.isSafeInteger(pid) && pid > 1) pids.push(pid);
    }
  }
  return pids;
}

/** True when no process is left in the cgroup (or it is gone). */
export function isEmpty(dir: string): boolean {
  const events = readOr(`${dir}/cgroup.events`);
  if (events !== undefined) return /^populated 0$/m.test(events);
  return pidsIn(dir).length === 0;
}

/** True when `dir` is or lies below `ancestor`. */
export function isWithin(dir: string, ancestor: string): boolean {
  return dir === ancestor || dir.startsWith(`${ancestor}/`);
}

/**
 * SIGKILLs everything in the cgroup at once: `cgroup.kill` where the kernel
 * has it (5.14 and later; it also catches a process forking meanwhile),
 * otherwise each pid in `cgroup.procs`. Returns false when neither could be done.
 */
export function killAll(dir: string, opts: { useKillFile?: boolean } = {}): boolean {
  if (opts.useKillFile ?? true) {
    try {
      Deno.writeTextFileSync(`${dir}/cgroup.kill`, "1");
      return true;
    } catch {
      // an older kernel: no cgroup.kill
    }
  }
  let any = false;
  for (const pid of pidsIn(dir)) {
    try {
      Deno.kill(pid, "SIGKILL");
      any = true;
    } catch {
      // already gone
    }
  }
  return any || isEmpty(dir);
}

/** Removes the cgroup and any below it; false when a process still holds one (or it was not ours to remove). */
export function removeCgroup(dir: string): boolean {
  let ok = true;
  for (const d of treeOf(dir)) {
    try {
      Deno.removeSync(d);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) ok = false;
    }
  }
  return ok;
}
