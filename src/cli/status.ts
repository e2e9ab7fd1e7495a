/**
 * `dispatch status`: the board, or one task in detail.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { assertTaskId } from "../store/paths.ts";
import { listTaskIds, TERMINAL } from "../store/tasks.ts";
import { boardTaskIds, noteEnded } from "../store/task_index.ts";
import { loadView, logTail, type TaskView } from "../runtime/view.ts";
import { projectOf } from "../store/project.ts";
import { renderBoard, renderDetail, taskJson } from "../render/board.ts";
import { sumUsage, usageTotalsJson } from "../render/usage_totals.ts";
import { safeJson } from "../render/quote.ts";
import { parseFlags } from "./args.ts";
import { findOverlaps, overlapsOf } from "../runtime/overlap.ts";

const HELP = `Usage: dispatch status [TASK] [--all] [--json]

Shows this project's tasks as a board: state (running, waiting, stalled, done, failed,
cancelled), checklist progress, time, last activity and open questions. The board holds
the unfinished tasks and those that ended in the last 24 hours (at least the last 10).
With TASK, that task in detail with its last lines of output.

Options:
  --all       Every task in $DISPATCH_HOME, of every project and age
  --json      Machine-readable: {"version":1,"tasks":[...]} (fields in the README)
  -n N        Lines of activity in the detailed view (default 10)
`;

/** Runs `dispatch status`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, {
    all: { type: "boolean" },
    json: { type: "boolean" },
    n: { type: "string", short: "n" },
  }, HELP);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError("Too many arguments (usage: dispatch status [TASK])");
  const now = ctx.now();
  const lines = values.n !== undefined ? Number(values.n) : 10;
  if (!Number.isInteger(lines) || lines < 0) {
    throw new UsageError(`Invalid -n: '${values.n}' (a whole number)`);
  }
  if (positionals.length === 1) {
    const view = await loadView(ctx, assertTaskId(positionals[0]!));
    const shared = view.spec.worktree && !view.state.merged ? await overlapsOf(ctx.home, view.spec) : [];
    if (values.json) ctx.stdout(safeJson({ version: 1, tasks: [taskJson(view, now, shared)] }, 2) + "\n");
    else ctx.stdout(renderDetail(view, await logTail(ctx, view.spec.id, lines), now));
    return 0;
  }
  const project = values.all ? undefined : await projectOf(ctx.cwd);
  const board = project === undefined
    ? { ids: await listTaskIds(ctx.home), unfinished: new Set<string>(), older: 0 }
    : await boardTaskIds(ctx.home, project, now);
  const views: TaskView[] = [];
  await Promise.all(board.ids.map(async (id) => {
    const view = await loadView(ctx, id).catch(() => undefined);
    if (view && (project === undefined || view.spec.project === project)) views.push(view);
  }));
  views.sort((a, b) => a.spec.created - b.spec.created);
  // Tell the index which of the tasks it took for unfinished have ended, so later boards skip them once old.
  const ended = views.filter((v) => board.unfinished.has(v.spec.id) && TERMINAL.has(v.state.state));
  if (project !== undefined) {
    await noteEnded(ctx.home, project, new Map(ended.map((v) => [v.spec.id, v.state.ended ?? now])));
  }
  // Unmerged worktree tasks on the board whose branches change the same files.
  const overlaps = await findOverlaps(
    views.filter((v) => v.spec.worktree && !v.state.merged).map((v) => v.spec),
  );
  if (values.json) {
    const totals = usageTotalsJson(sumUsage(views.map((v) => v.state.usage)));
    ctx.stdout(
      safeJson(
        { version: 1, tasks: views.map((v) => taskJson(v, now, overlaps.get(v.spec.id))), totals },
        2,
      ) + "\n",
    );
  } else {
    ctx.stdout(renderBoard(views, now, overlaps));
    if (board.older > 0) {
      ctx.stdout(`(${board.older} older ended task(s) not shown: dispatch status --all)\n`);
    }
  }
  return 0;
}
