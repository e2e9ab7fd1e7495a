/**
 * Garbage collection: removing the files of tasks that ended long enough
 * ago, and their worktrees when that loses nothing; then compacting the
 * journal lines those tasks left, once no session can still be told them.
 * @module
 */
import type { Ctx } from "../context.ts";
import { taskPaths } from "../store/paths.ts";
import { listTaskIds, readState, TERMINAL, trySpec, withTaskLock } from "../store/tasks.ts";
import { compactJournal, type CompactResult } from "../store/journal_compact.ts";
import { removeWorktree } from "./worktree.ts";
import { START_GRACE_MS } from "./reconcile.ts";
import { mtimeSync } from "../store/fsx.ts";

/** A folder whose `start` died before writing task.json (it is written last), and not just now. */
async function halfMade(ctx: Ctx, id: string): Promise<boolean> {
  const paths = taskPaths(ctx.home, id);
  if (await Deno.lstat(paths.task).then(() => true, () => false)) return false;
  const made = mtimeSync(paths.dir);
  return made !== undefined && ctx.now() - made > START_GRACE_MS;
}

/** What gc did (or, dry, would do) with one task. */
export type GcOutcome =
  | { id: string; removed: true; worktree?: string }
  | { id: string; removed: false; worktree: string; why: string };

/** Options for {@linkcode collectGarbage}. */
export interface GcOptions {
  /** Only tasks that ended more than this long ago. */
  olderThanMs: number;
  /** Decide, but remove nothing. */
  dryRun?: boolean;
  /** Hears what journal compaction did (not on a dry run). */
  compacted?: (result: CompactResult) => void;
}

/**
 * Removes each task that ended more than `olderThanMs` ago, with its
 * worktree; a worktree with uncommitted or unmerged work keeps its task.
 * `report` hears of each task as it is handled. Resolves with the number
 * removed. The journal keeps every event of a task still on disk and every
 * event a session has not been told.
 */
export async function collectGarbage(
  ctx: Ctx,
  opts: GcOptions,
  report: (outcome: GcOutcome) => void,
): Promise<number> {
  let removed = 0;
  for (const id of await listTaskIds(ctx.home)) {
    const spec = trySpec(ctx.home, id);
    if (!spec) {
      if (await halfMade(ctx, id)) {
        if (!opts.dryRun) await Deno.remove(taskPaths(ctx.home, id).dir, { recursive: true });
        removed++;
        report({ id, removed: true });
      }
      continue; // a damaged task.json is kept, for the user to look at
    }
    await withTaskLock(ctx.home, id, async () => {
      const state = readState(ctx.home, id);
      if (!TERMINAL.has(state.state) || ctx.now() - (state.ended ?? spec.created) < opts.olderThanMs) return;
      if (spec.worktree) {
        // Merged by `dispatch merge` (even squashed, which leaves no ancestry): its branch goes too.
        const merged = state.merged !== undefined;
        const kept = opts.dryRun ? undefined : await removeWorktree(spec.project, spec.worktree, merged);
        if (kept) {
          report({ id, removed: false, worktree: spec.worktree.path, why: kept });
          return;
        }
      }
      if (!opts.dryRun) await Deno.remove(taskPaths(ctx.home, id).dir, { recursive: true });
      removed++;
      report({ id, removed: true, ...(spec.worktree ? { worktree: spec.worktree.path } : {}) });
    });
  }
  if (!opts.dryRun) {
    const result = await compactJournal(ctx.home, { keepTasks: new Set(await listTaskIds(ctx.home)) });
    opts.compacted?.(result);
  }
  return removed;
}
