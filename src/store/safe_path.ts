/**
 * Where the trusted side may write: only inside `DISPATCH_HOME`, never
 * through a link a worker could have planted. A worker can write its own
 * task folder, so it can replace `answers/` (or, with home-wide grants, the
 * task folder itself) by a symbolic link to anywhere. Before dispatch writes
 * a file, every folder between the home and the file is looked at with
 * lstat: one that is a link, or not a folder, is refused with one line.
 * @module
 */
import { StateError } from "../errors.ts";

/** A folder or file on the way to a write was replaced (a link, a FIFO, ...): reported, not written through. */
export class UnsafePathError extends StateError {
  constructor(path: string, what: string, during = false) {
    super(
      (during
        ? `A path was replaced during a write: ${path} is now ${what}`
        : `Refusing to write through a replaced path: ${path} is ${what}`) +
        ` (something in the task may have planted it); remove it, or cancel the task`,
    );
  }
}

/** The folders dispatch keeps directly under the home. */
const HOME_FOLDERS = new Set(["tasks", "sessions", "index", "worktrees"]);

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Every home this process built store paths for (see `paths.ts`): where the check of a path starts. */
const homes = new Set<string>();

/** Notes `home` as a DISPATCH_HOME, so writes below it are checked from it down. */
export function registerHome(home: string): void {
  if (homes.size > 10_000) homes.clear(); // a test process with very many homes: the layout still answers
  homes.add(home.replace(/\/+$/, "") || "/");
}

/**
 * The `DISPATCH_HOME` a store path lies in: the longest home registered that
 * holds it, else read from the layout (`<home>/tasks/<id>/…`,
 * `<home>/sessions/…`, `<home>/index/…`), else the file's own folder. The
 * home itself is the user's choice and may be a link; what lies below it is
 * dispatch's and may not.
 */
export function homeOf(path: string): string {
  let best: string | undefined;
  for (const home of homes) {
    if (
      path.startsWith(home === "/" ? "/" : home + "/") && (best === undefined || home.length > best.length)
    ) {
      best = home;
    }
  }
  if (best !== undefined) return best;
  const task = /^(.*)\/tasks\/[a-z0-9][a-z0-9-]{0,63}\/[^/]/.exec(path);
  if (task) return task[1]!;
  const parent = parentOf(path);
  return HOME_FOLDERS.has(nameOf(parent)) ? parentOf(parent) : parent;
}

/** lstat, or undefined when nothing is there. */
export async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** What a non-folder is, for the refusal line. */
export function kindOf(info: Deno.FileInfo): string {
  if (info.isSymlink) return "a symbolic link";
  if (info.isDirectory) return "a folder";
  if (info.isFile) return "a file";
  return "a special file (FIFO, socket or device)";
}

/** The folders strictly between `home` and `path`'s folder, outermost first, and that folder. */
function foldersBetween(home: string, path: string): string[] {
  const dir = parentOf(path);
  if (dir === home || !dir.startsWith(home + "/")) return [];
  const parts = dir.slice(home.length + 1).split("/");
  return parts.map((_, i) => `${home}/${parts.slice(0, i + 1).join("/")}`);
}

/**
 * Throws {@linkcode UnsafePathError} unless every folder between the home
 * of `path` and `path` is a real folder (not a link). With `create`, a
 * missing folder is made (0700), one level at a time, so a link is never
 * followed to make one; without it, a missing folder ends the check (the
 * write itself then fails as not found). `during` words the refusal for a
 * check after a write.
 */
export async function assertRealFolders(path: string, create = false, during = false): Promise<void> {
  for (const dir of foldersBetween(homeOf(path), path)) {
    let info = await lstatOrUndefined(dir);
    if (info === undefined) {
      if (!create) return;
      await Deno.mkdir(dir, { mode: 0o700 }).catch((e) => {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      });
      info = await Deno.lstat(dir);
    }
    if (!info.isDirectory || info.isSymlink) throw new UnsafePathError(dir, kindOf(info), during);
  }
}
