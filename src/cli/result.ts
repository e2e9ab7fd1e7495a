/**
 * `dispatch result`: a worker's summary and where its files are.
 * @module
 */
import type { Ctx } from "../context.ts";
import { assertTaskId, taskPaths } from "../store/paths.ts";
import { readTextOrUndefined } from "../store/fsx.ts";
import { loadView } from "../runtime/view.ts";
import { onePositional, parseFlags } from "./args.ts";

const HELP = `Usage: dispatch result TASK

Prints the task's state, the worker's summary (output.md) and the paths of its plan,
summary and log.
`;

/** Runs `dispatch result`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, {}, HELP);
  if (!parsed) return 0;
  const id = assertTaskId(onePositional(parsed.positionals, "TASK", "dispatch result TASK"));
  const view = await loadView(ctx, id);
  const paths = taskPaths(ctx.home, id);
  const summary = await readTextOrUndefined(paths.output);
  ctx.stdout(
    `${id}: ${view.shown}${
      view.state.reason ? ` (${view.state.reason})` : ""
    }, ${view.progress.done}/${view.progress.total} items\n`,
  );
  ctx.stdout(summary !== undefined ? `${summary.trimEnd()}\n` : "(no summary written yet)\n");
  ctx.stdout(`plan: ${paths.plan}\nsummary: ${paths.output}\nlog: ${paths.log}\n`);
  return 0;
}
