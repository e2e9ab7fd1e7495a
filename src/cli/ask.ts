/**
 * `dispatch ask`: a worker asks the user a question and waits for the answer.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { ask } from "../ipc/questions.ts";
import { ancestors, confinement, workerIdentity } from "../ipc/caller.ts";
import { parseDuration } from "../duration.ts";
import { assertTaskId } from "../store/paths.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch ask "question" [--timeout D]

For workers. Records the question for the user, waits until it is answered, and prints
the answer. It asks for the task whose worker runs it, found from the process tree (the
worker's recorded pid), never from arguments or the environment: a worker can ask only
for its own task. If the wait times out (exit 124), run the same command again: the
question stays open and is not asked twice.

Options:
  --timeout D   Stop waiting after D (e.g. 10m); default: wait until answered
  --task ID     Must name the caller's own task (kept for older prompts)
`;

/** How long a worker that asks at once may wait for its supervisor to record its pid. */
const RECORD_WAIT_MS = 10_000;

function notYours(mine: string, claimed: string): UsageError {
  return new UsageError(
    `Not this worker's task: it runs task ${mine}, not ${claimed}; 'dispatch ask' asks for the caller's own task only (drop --task and $DISPATCH_TASK)`,
  );
}

/**
 * The task this process asks for: the one whose recorded worker is an
 * ancestor, or, inside a CLI sandbox that can write one task's folder only
 * (codex's bwrap hides the process tree), that task. A worker that asks
 * before its supervisor recorded the pid waits for it (briefly); anything
 * else is refused.
 */
export async function ownTask(ctx: Ctx, claimed: string | undefined): Promise<string> {
  if (claimed !== undefined && workerIdentity(ctx.home).task === undefined) {
    const confined = await confinement(ctx.home, claimed);
    if (confined === "own") return claimed;
    if (confined === "other") throw notYours("another", claimed);
  }
  const until = ctx.monotonic() + RECORD_WAIT_MS;
  while (true) {
    const chain = ancestors();
    const found = workerIdentity(ctx.home, chain);
    if (found.task !== undefined) {
      if (claimed !== undefined && claimed !== found.task) throw notYours(found.task, claimed);
      return found.task;
    }
    if (found.claimed.length === 0 || ctx.monotonic() >= until) break;
    await ctx.sleep(25);
  }
  throw new UsageError("No task: run 'dispatch ask' inside a worker that dispatch started");
}

/** Runs `dispatch ask`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, { timeout: { type: "string" }, task: { type: "string" } }, HELP);
  if (!parsed) return 0;
  const hint = parsed.values.task ?? ctx.env.DISPATCH_TASK;
  if (hint !== undefined) assertTaskId(hint);
  const task = await ownTask(ctx, hint);
  const text = parsed.positionals.length > 0 ? parsed.positionals.join(" ") : await ctx.stdin();
  const timeoutMs = parsed.values.timeout ? parseDuration(parsed.values.timeout, "--timeout") : undefined;
  const answer = await ask(ctx, task, text, { timeoutMs });
  ctx.stdout(answer + "\n");
  return 0;
}
