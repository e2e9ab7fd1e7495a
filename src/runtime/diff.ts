/**
 * What a worktree task changed: its branch against the commit it started
 * from (`worktree.base`, or where it forked from the project's HEAD for a
 * task made before bases were kept). Counts and paths are data for the
 * notices and `--json`; the patch itself is for the user's review.
 * @module
 */
import { InputError, NotFoundError } from "../errors.ts";
import type { TaskSpec, WorktreeSpec } from "../store/tasks.ts";
import { git, nulFields } from "./worktree_git.ts";

/** One changed file; `added`/`removed` are null for a binary file. */
export interface FileChange {
  path: string;
  added: number | null;
  removed: number | null;
}

/** A branch's changes against its base. */
export interface BranchChanges {
  branch: string;
  base: string;
  commits: number;
  files: FileChange[];
  added: number;
  removed: number;
}

/** The worktree of `spec`, or an InputError saying the task has none. */
export function worktreeOf(spec: TaskSpec): WorktreeSpec {
  if (!spec.worktree) {
    throw new InputError(`Not a worktree task: ${spec.id} ran in ${spec.cwd} (see git diff there)`);
  }
  return spec.worktree;
}

/** The commit `spec`'s branch started from. */
export async function baseOf(spec: TaskSpec): Promise<string> {
  const wt = worktreeOf(spec);
  const branch = await git(["rev-parse", "--verify", "-q", `refs/heads/${wt.branch}`], spec.project);
  if (!branch.ok) throw new NotFoundError(`Branch gone: ${wt.branch} no longer exists in ${spec.project}`);
  if (wt.base) return wt.base;
  const fork = await git(["merge-base", "HEAD", wt.branch], spec.project);
  if (!fork.ok) throw new InputError(`No base: ${wt.branch} shares no history with ${spec.project}'s HEAD`);
  return fork.text;
}

/** Parses `git diff --numstat -z --no-renames`. */
export function parseNumstat(out: string): FileChange[] {
  return nulFields(out).map((entry) => {
    const [added, removed, ...rest] = entry.split("\t");
    const n = (v: string | undefined) => (v === undefined || v === "-" ? null : Number(v));
    return { path: rest.join("\t"), added: n(added), removed: n(removed) };
  });
}

/** The counts and files of `spec`'s branch against its base. */
export async function branchChanges(spec: TaskSpec): Promise<BranchChanges> {
  const wt = worktreeOf(spec);
  const base = await baseOf(spec);
  const [count, stat] = await Promise.all([
    git(["rev-list", "--count", `${base}..refs/heads/${wt.branch}`], spec.project),
    git([
      "diff",
      "--numstat",
      "-z",
      "--no-renames",
      "--no-ext-diff",
      "--no-textconv",
      base,
      `refs/heads/${wt.branch}`,
    ], spec.project),
  ]);
  const files = parseNumstat(stat.out);
  return {
    branch: wt.branch,
    base,
    commits: Number(count.text) || 0,
    files,
    added: files.reduce((sum, f) => sum + (f.added ?? 0), 0),
    removed: files.reduce((sum, f) => sum + (f.removed ?? 0), 0),
  };
}

/** The patch (or with `stat`, the summary) of `spec`'s branch against its base, as git prints it. */
export async function diffText(spec: TaskSpec, stat: boolean): Promise<string> {
  const wt = worktreeOf(spec);
  const base = await baseOf(spec);
  const out = await git(
    ["diff", ...(stat ? ["--stat"] : []), "--no-ext-diff", "--no-textconv", base, `refs/heads/${wt.branch}`],
    spec.project,
  );
  return out.out;
}
