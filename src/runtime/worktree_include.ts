/**
 * The ignored files a new worktree needs (`.env`, local config), as Claude
 * Code's own worktrees take them: the project's `.worktreeinclude` lists
 * them in gitignore syntax, and only files git reports as ignored are
 * copied. The list is repository content, so nothing outside the project is
 * read or written: git names the candidates (it never lists `../x`), a
 * symlink is never followed on either side, and a file whose real path
 * leaves the project is skipped. What was copied is recorded in the task's
 * folder, so the commit on end never takes it into the branch.
 * @module
 */
import { taskPaths } from "../store/paths.ts";
import { readJsonOrUndefined, writeJsonAtomic } from "../store/fsx.ts";
import { git, nulFields } from "./worktree_git.ts";

/** The list's name, at the repository root. */
export const INCLUDE_FILE = ".worktreeinclude";
/** The largest file copied; bigger ones are skipped and named in the log. */
export const MAX_INCLUDED_BYTES = 16 * 1024 * 1024;
/** The most files copied. */
export const MAX_INCLUDED_FILES = 1000;

/** What a copy did. */
export interface IncludeResult {
  copied: string[];
  /** Each skipped path with why. */
  skipped: string[];
}

/** Where a task's copied paths are recorded. */
export function includedRecord(home: string, id: string): string {
  return `${taskPaths(home, id).dir}/included.json`;
}

/** The paths copied into task `id`'s worktree (none when nothing was). */
export async function includedPaths(home: string, id: string): Promise<string[]> {
  const list = await readJsonOrUndefined<unknown>(includedRecord(home, id)).catch(() => undefined);
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === "string") : [];
}

async function lstat(path: string): Promise<Deno.FileInfo | undefined> {
  return await Deno.lstat(path).catch(() => undefined);
}

/** Makes `rel`'s parent folders under `root`, refusing any that is a link. False when one is. */
async function makeParents(root: string, rel: string): Promise<boolean> {
  const parts = rel.split("/").slice(0, -1);
  let dir = root;
  for (const part of parts) {
    dir = `${dir}/${part}`;
    const info = await lstat(dir);
    if (info === undefined) await Deno.mkdir(dir, { mode: 0o700 });
    else if (!info.isDirectory) return false;
  }
  return true;
}

/** Why `rel` is not copied, or undefined after copying it from `project` to `worktree`. */
async function copyOne(project: string, realProject: string, worktree: string, rel: string) {
  if (rel.startsWith("/") || rel.split("/").some((p) => p === ".." || p === "." || p === "")) {
    return "not a plain path inside the project";
  }
  const source = `${project}/${rel}`;
  const info = await lstat(source);
  if (!info?.isFile) return "not a regular file (links are not followed)";
  const real = await Deno.realPath(source).catch(() => "");
  if (!real.startsWith(`${realProject}/`)) return "it lies outside the project";
  if (info.size > MAX_INCLUDED_BYTES) return `over ${MAX_INCLUDED_BYTES} bytes`;
  if (!await makeParents(worktree, rel)) return "a folder on its way in the worktree is a link or a file";
  const bytes = await Deno.readFile(real);
  try {
    // createNew: never through a link (or over a file) already at the name.
    await Deno.writeFile(`${worktree}/${rel}`, bytes, {
      createNew: true,
      mode: (info.mode ?? 0o600) & 0o777,
    });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return "something is already at that path in the worktree";
    throw e;
  }
  return undefined;
}

/**
 * Copies into `worktree` the files of `project` that its `.worktreeinclude`
 * matches and git ignores, and records them for the task (`home`, `id`) when one is given.
 */
export async function copyIncluded(
  task: { home: string; id: string } | undefined,
  project: string,
  worktree: string,
) {
  const result: IncludeResult = { copied: [], skipped: [] };
  const list = `${project}/${INCLUDE_FILE}`;
  const info = await lstat(list);
  if (info === undefined) return result;
  if (!info.isFile) {
    result.skipped.push(`${INCLUDE_FILE}: not a regular file (a link is not read)`);
    return result;
  }
  const matched = await git(["ls-files", "-z", "--others", "--ignored", `--exclude-from=${list}`], project);
  const candidates = nulFields(matched.out);
  if (candidates.length === 0) return result;
  const ignored = await git(["check-ignore", "-z", "--stdin"], project, {
    stdin: candidates.join("\0") + "\0",
  });
  const realProject = await Deno.realPath(project);
  for (const rel of nulFields(ignored.out).slice(0, MAX_INCLUDED_FILES)) {
    const why = await copyOne(project, realProject, worktree, rel);
    if (why) result.skipped.push(`${rel}: ${why}`);
    else result.copied.push(rel);
  }
  if (task && result.copied.length > 0) {
    await writeJsonAtomic(includedRecord(task.home, task.id), result.copied);
  }
  return result;
}
