/**
 * `dispatch resume`: restart an exited worker in its CLI's own session.
 * @module
 */
import type { Ctx } from "../context.ts";
import { assertTaskId, taskPaths } from "../store/paths.ts";
import { resumeMessage, resumeTask } from "../runtime/resume.ts";
import { onePositional, parseFlags } from "./args.ts";

const HELP = `Usage: dispatch resume TASK [--message TEXT]

Restarts a worker that exited (crashed, timed out, was cancelled) by resuming its CLI's
own session, so it keeps its context, and tells it to carry on with its plan.

Options:
  --message TEXT   What to tell it (default: continue with the unticked items)
`;

/** Runs `dispatch resume`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, { message: { type: "string" } }, HELP);
  if (!parsed) return 0;
  const id = assertTaskId(onePositional(parsed.positionals, "TASK", "dispatch resume TASK"));
  const plan = taskPaths(ctx.home, id).plan;
  await resumeTask(ctx, id, parsed.values.message ?? resumeMessage(plan));
  ctx.stdout(`Resumed ${id} in its own session.\n`);
  return 0;
}
