/**
 * Git worktrees for tasks that should not touch the user's checkout: one
 * per task, on branch `dispatch/<id>`, created from HEAD under
 * `$DISPATCH_HOME/worktrees/<id>`. Removal refuses to lose work: a worktree
 * with uncommitted changes, or whose branch is not merged, is kept.
 * @module
 */
import type { Ctx } from "../context.ts";
import { InputError, UnavailableError } from "../errors.ts";
import { ensureDir } from "../store/fsx.ts";
import { homePaths, taskPaths } from "../store/paths.ts";

/** Where and on which branch a task's worktree lives. */
export interface Worktree {
  path: string;
  branch: string;
}

async function git(args: string[], cwd: string): Promise<{ ok: boolean; out: string; err: string }> {
  let out;
  try {
    out = await new Deno.Command("git", { args, cwd, stdin: "null", stdout: "piped", stderr: "piped" })
      .output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UnavailableError("git not found: install git to use --worktree");
    }
    throw e;
  }
  const d = new TextDecoder();
  return { ok: out.success, out: d.decode(out.stdout).trim(), err: d.decode(out.stderr).trim() };
}

/** Creates the task's worktree from the project's HEAD. */
export async function createWorktree(ctx: Pick<Ctx, "home">, project: string, id: string): Promise<Worktree> {
  const head = await git(["rev-parse", "--verify", "HEAD"], project);
  if (!head.ok) {
    throw new InputError(
      `Cannot create a worktree: ${project} is not a git repository with a commit (commit first, or drop --worktree)`,
    );
  }
  await ensureDir(homePaths(ctx.home).worktrees);
  const wt = { path: taskPaths(ctx.home, id).worktree, branch: `dispatch/${id}` };
  const add = await git(["worktree", "add", "-b", wt.branch, wt.path, "HEAD"], project);
  if (!add.ok) {
    throw new InputError(`Cannot create a worktree: git worktree add failed: ${add.err.split("\n")[0]}`);
  }
  return wt;
}

/** Why a worktree cannot be removed safely, or undefined when it can. */
export async function unsafeToRemove(project: string, wt: Worktree): Promise<string | undefined> {
  const status = await git(["status", "--porcelain"], wt.path);
  if (!status.ok) return undefined; // already gone
  if (status.out !== "") return "it has uncommitted changes";
  const merged = await git(["merge-base", "--is-ancestor", wt.branch, "HEAD"], project);
  if (!merged.ok) return `branch ${wt.branch} is not merged into ${project}'s HEAD`;
  return undefined;
}

/** Removes a worktree and its branch when safe. Resolves with the reason it was kept, if kept. */
export async function removeWorktree(project: string, wt: Worktree): Promise<string | undefined> {
  const unsafe = await unsafeToRemove(project, wt);
  if (unsafe) return unsafe;
  await git(["worktree", "remove", wt.path], project);
  await git(["branch", "-d", wt.branch], project);
  return undefined;
}
