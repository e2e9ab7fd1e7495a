/**
 * `dispatch gc`: remove finished tasks' files and their merged worktrees.
 * @module
 */
import type { Ctx } from "../context.ts";
import { parseDuration } from "../duration.ts";
import { collectGarbage } from "../runtime/gc.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch gc [--older-than D] [--dry-run]

Removes the files of tasks that ended (done, failed, cancelled) more than D ago
(default 7d), and their worktrees when that loses nothing: a worktree with
uncommitted changes, or whose branch is not merged into the project's HEAD, is kept
together with its task, and said so. Then the journal drops the events of removed
tasks that every host session has already been told (offsets stay, so no cursor moves).

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
  let compacted = "";
  const onCompacted = (r: { dropped: number; kept: number }) => {
    if (r.dropped > 0) {
      compacted = ` Journal: ${r.dropped} event(s) of removed tasks dropped, ${r.kept} kept.`;
    }
  };
  const removed = await collectGarbage(
    ctx,
    { olderThanMs: age, dryRun: dry, compacted: onCompacted },
    (o) => {
      ctx.stdout(
        o.removed
          ? `${dry ? "Would remove" : "Removed"} ${o.id}${o.worktree ? ` and ${o.worktree}` : ""}.\n`
          : `Kept ${o.id}: its worktree ${o.worktree} ${o.why}.\n`,
      );
    },
  );
  ctx.stdout(`${dry ? "Would remove" : "Removed"} ${removed} task(s).${compacted}\n`);
  return 0;
}
