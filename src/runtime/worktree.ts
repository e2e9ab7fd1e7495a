/**
 * Git worktrees for tasks that should not touch the user's checkout: one
 * per task, on branch `dispatch/<id>`, created from HEAD under
 * `$DISPATCH_HOME/worktrees/<id>`, with the commit it started from kept as
 * its base. Removal refuses to lose work: a worktree with uncommitted
 * changes, or whose branch is neither merged into the project's HEAD nor
 * recorded as merged by `dispatch merge` (a squash), is kept.
 * @module
 */
import type { Ctx } from "../context.ts";
import { InputError } from "../errors.ts";
import { ensureDir } from "../store/fsx.ts";
import { homePaths, taskPaths } from "../store/paths.ts";
import type { WorktreeSpec } from "../store/tasks.ts";
import { git, porcelainPaths } from "./worktree_git.ts";

/** Where and on which branch a task's worktree lives. */
export type Worktree = WorktreeSpec;

/** Creates the task's worktree from the project's HEAD. */
export async function createWorktree(ctx: Pick<Ctx, "home">, project: string, id: string): Promise<Worktree> {
  const head = await git(["rev-parse", "--verify", "HEAD"], project);
  if (!head.ok) {
    throw new InputError(
      `Cannot create a worktree: ${project} is not a git repository with a commit (commit first, or drop --worktree)`,
    );
  }
  await ensureDir(homePaths(ctx.home).worktrees);
  const wt = { path: taskPaths(ctx.home, id).worktree, branch: `dispatch/${id}`, base: head.text };
  const add = await git(["worktree", "add", "-q", "-b", wt.branch, wt.path, wt.base], project);
  if (!add.ok) {
    throw new InputError(`Cannot create a worktree: git worktree add failed: ${add.err}`);
  }
  return wt;
}

/** How many files the user's checkout has changed or untracked: work a worktree task will not see. */
export async function uncommittedCount(project: string): Promise<number> {
  const status = await git(["status", "--porcelain", "-z", "--untracked-files=normal"], project);
  return status.ok ? porcelainPaths(status.out).length : 0;
}

/** Why a worktree cannot be removed safely, or undefined when it can. */
export async function unsafeToRemove(
  project: string,
  wt: Worktree,
  merged = false,
): Promise<string | undefined> {
  const status = await git(["status", "--porcelain"], wt.path);
  if (!status.ok) return undefined; // already gone
  if (status.text !== "") return "it has uncommitted changes";
  if (merged) return undefined;
  const isAncestor = await git(["merge-base", "--is-ancestor", wt.branch, "HEAD"], project);
  if (!isAncestor.ok) return `branch ${wt.branch} is not merged into ${project}'s HEAD`;
  return undefined;
}

/**
 * Removes a worktree and its branch when safe; `merged` says `dispatch
 * merge` recorded it (a squash leaves no ancestry to check). Resolves with
 * the reason it was kept, if kept.
 */
export async function removeWorktree(
  project: string,
  wt: Worktree,
  merged = false,
): Promise<string | undefined> {
  const unsafe = await unsafeToRemove(project, wt, merged);
  if (unsafe) return unsafe;
  // --force: what is left is ignored files (.worktreeinclude copies, installed dependencies), not work.
  await git(["worktree", "remove", "--force", wt.path], project);
  await git(["branch", merged ? "-D" : "-d", wt.branch], project);
  return undefined;
}
