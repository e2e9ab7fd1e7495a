/**
 * `dispatch ask`: a worker asks the user a question and waits for the answer.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { ask } from "../ipc/questions.ts";
import { parseDuration } from "../duration.ts";
import { assertTaskId } from "../store/paths.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch ask "question" [--timeout D]

For workers. Records the question for the user, waits until it is answered, and prints
the answer. The task comes from $DISPATCH_TASK, which dispatch sets for every worker.
If the wait times out (exit 124), run the same command again: the question stays open
and is not asked twice.

Options:
  --timeout D   Stop waiting after D (e.g. 10m); default: wait until answered
  --task ID     The task, when $DISPATCH_TASK is not set
`;

/** Runs `dispatch ask`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, { timeout: { type: "string" }, task: { type: "string" } }, HELP);
  if (!parsed) return 0;
  const task = parsed.values.task ?? ctx.env.DISPATCH_TASK;
  if (!task) {
    throw new UsageError("No task: run 'dispatch ask' inside a worker ($DISPATCH_TASK), or pass --task ID");
  }
  const text = parsed.positionals.length > 0 ? parsed.positionals.join(" ") : await ctx.stdin();
  const timeoutMs = parsed.values.timeout ? parseDuration(parsed.values.timeout, "--timeout") : undefined;
  const answer = await ask(ctx, assertTaskId(task), text, { timeoutMs });
  ctx.stdout(answer + "\n");
  return 0;
}
