/**
 * The commit on end: when a worktree task's worker ends, whatever it left
 * uncommitted is committed on its branch by dispatch (trusted side), so
 * `dispatch/<id>` holds all the work. `git add -A` runs in the worktree
 * only, as `dispatch <dispatch@localhost>` (never the user's identity or
 * config changes), and never takes a file over
 * {@linkcode MAX_COMMITTED_BYTES} or one `.worktreeinclude` copied in (a
 * worker that un-ignores `.env` still does not get it into the branch).
 * @module
 */
import { openAppend } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import type { TaskSpec } from "../store/tasks.ts";
import type { EventFields } from "./events.ts";
import { branchChanges } from "./diff.ts";
import { overlapsOf } from "./overlap.ts";
import { includedPaths } from "./worktree_include.ts";
import { DISPATCH_IDENTITY, git, porcelainPaths } from "./worktree_git.ts";

/** The largest file the commit on end takes; bigger ones stay in the worktree, named in the log. */
export const MAX_COMMITTED_BYTES = 5 * 1024 * 1024;

/** What the commit on end did. */
export interface LeftoverCommit {
  committed: string[];
  skipped: string[];
}

async function logLine(home: string, id: string, text: string): Promise<void> {
  using file = await openAppend(taskPaths(home, id).log);
  await file.write(new TextEncoder().encode(`dispatch: ${text}\n`));
}

/** Commits what the worker of `spec` left uncommitted in its worktree. */
export async function commitLeftovers(home: string, spec: TaskSpec): Promise<LeftoverCommit> {
  const result: LeftoverCommit = { committed: [], skipped: [] };
  const wt = spec.worktree;
  if (!wt) return result;
  const status = await git(["status", "--porcelain", "-z", "--untracked-files=all"], wt.path);
  if (!status.ok) return result; // the worktree is gone
  const included = new Set(await includedPaths(home, spec.id));
  for (const path of new Set(porcelainPaths(status.out))) {
    const info = await Deno.lstat(`${wt.path}/${path}`).catch(() => undefined);
    if (included.has(path)) result.skipped.push(`${path} (copied by .worktreeinclude)`);
    else if (info?.isFile && info.size > MAX_COMMITTED_BYTES) {
      result.skipped.push(`${path} (over ${MAX_COMMITTED_BYTES} bytes)`);
    } else result.committed.push(path);
  }
  if (result.committed.length > 0) {
    // Literal pathspecs: a file named ':(glob)*' is that file, not a pattern.
    await git(
      ["--literal-pathspecs", "add", "-A", "--pathspec-from-file=-", "--pathspec-file-nul"],
      wt.path,
      {
        stdin: result.committed.join("\0") + "\0",
      },
    );
    const commit = await git(
      [...DISPATCH_IDENTITY, "-c", "commit.gpgSign=false", "commit", "-q", "--no-verify", "-F", "-"],
      wt.path,
      { stdin: `dispatch: ${spec.title}\n` },
    );
    if (!commit.ok) result.skipped.push(`commit failed: ${commit.err}`);
    else await logLine(home, spec.id, `committed what the worker left: ${result.committed.join(", ")}`);
  }
  if (result.skipped.length > 0) await logLine(home, spec.id, `not committed: ${result.skipped.join(", ")}`);
  return result;
}

/**
 * The end of a worktree task's run: commits its leftovers, then counts its
 * branch's changes and the unmerged tasks that change the same files, for
 * its end event. Never throws: the end must be recorded whatever git does.
 */
export async function settleWorktree(
  home: string,
  spec: TaskSpec,
): Promise<Pick<EventFields, "changes" | "overlaps">> {
  try {
    await commitLeftovers(home, spec);
    const c = await branchChanges(spec);
    const overlaps = await overlapsOf(home, spec);
    return {
      changes: { commits: c.commits, files: c.files.length, added: c.added, removed: c.removed },
      ...(overlaps.length > 0
        ? { overlaps: overlaps.map((o) => ({ task: o.task, files: o.files.length })) }
        : {}),
    };
  } catch {
    return {};
  }
}
