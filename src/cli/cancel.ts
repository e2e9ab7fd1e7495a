/**
 * `dispatch cancel`: stop a worker and every process it started.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { assertTaskId } from "../store/paths.ts";
import { listTaskIds, unfinished } from "../store/tasks.ts";
import { cancelTask } from "../runtime/cancel.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch cancel TASK... | --all [--reason TEXT]

Stops the worker and its whole process tree (tool shells included: SIGTERM, then SIGKILL
after 3 s) and records the task as cancelled.

Options:
  --all          Every unfinished task in $DISPATCH_HOME
  --reason TEXT  Why (shown in status; default "cancelled by the user")
`;

/** Runs `dispatch cancel`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, { all: { type: "boolean" }, reason: { type: "string" } }, HELP);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (values.all && positionals.length > 0) throw new UsageError("Give task ids or --all, not both");
  if (!values.all && positionals.length === 0) {
    throw new UsageError("Missing TASK (usage: dispatch cancel TASK|--all)");
  }
  const ids = values.all ? unfinished(ctx.home, await listTaskIds(ctx.home)) : positionals.map(assertTaskId);
  const reason = values.reason ?? "cancelled by the user";
  const results = await Promise.all(
    ids.map(async (id) => [id, await cancelTask(ctx, id, reason)] as const),
  );
  if (results.length === 0) ctx.stdout("Nothing to cancel.\n");
  for (const [id, cancelled] of results) {
    ctx.stdout(cancelled ? `Cancelled ${id}.\n` : `${id} had already ended; nothing to cancel.\n`);
  }
  return 0;
}
