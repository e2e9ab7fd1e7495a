/**
 * `dispatch gc`: remove finished tasks' files and their merged worktrees.
 * @module
 */
import type { Ctx } from "../context.ts";
import { parseDuration } from "../duration.ts";
import { taskPaths } from "../store/paths.ts";
import { listTaskIds, readState, TERMINAL, trySpec, withTaskLock } from "../store/tasks.ts";
import { removeWorktree } from "../runtime/worktree.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch gc [--older-than D] [--dry-run]

Removes the files of tasks that ended (done, failed, cancelled) more than D ago
(default 7d), and their worktrees when that loses nothing: a worktree with
uncommitted changes, or whose branch is not merged into the project's HEAD, is kept
together with its task, and said so.

Options:
  --older-than D   Only tasks that ended more than D ago (e.g. 1d, 12h; 0 for all)
  --dry-run        Say what would be removed, remove nothing
`;

/** Runs `dispatch gc`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(
    ctx,
    args,
    { "older-than": { type: "string" }, "dry-run": { type: "boolean" } },
    HELP,
  );
  if (!parsed) return 0;
  const age = parseDuration(parsed.values["older-than"] ?? "7d", "--older-than");
  const dry = parsed.values["dry-run"] ?? false;
  let removed = 0;
  for (const id of await listTaskIds(ctx.home)) {
    const spec = trySpec(ctx.home, id);
    if (!spec) continue;
    await withTaskLock(ctx.home, id, async () => {
      const state = readState(ctx.home, id);
      if (!TERMINAL.has(state.state) || ctx.now() - (state.ended ?? spec.created) < age) return;
      if (spec.worktree) {
        const kept = dry ? undefined : await removeWorktree(spec.project, spec.worktree);
        if (kept) {
          ctx.stdout(`Kept ${id}: its worktree ${spec.worktree.path} ${kept}.\n`);
          return;
        }
      }
      if (!dry) await Deno.remove(taskPaths(ctx.home, id).dir, { recursive: true });
      removed++;
      ctx.stdout(
        `${dry ? "Would remove" : "Removed"} ${id}${spec.worktree ? ` and ${spec.worktree.path}` : ""}.\n`,
      );
    });
  }
  ctx.stdout(`${dry ? "Would remove" : "Removed"} ${removed} task(s).\n`);
  return 0;
}
