/**
 * `dispatch answer`: deliver the user's answer to a worker's open question.
 * @module
 */
import type { Ctx } from "../context.ts";
import { StateError, UsageError } from "../errors.ts";
import { answer } from "../ipc/questions.ts";
import { checkMessage } from "../store/questions.ts";
import { assertTaskId } from "../store/paths.ts";
import { afterAnswer, assertCanReceiveAnswer } from "../runtime/resume.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch answer TASK "text" [--question N]

Delivers the answer to question N exactly once. Without --question, only when the task
has asked exactly one question (otherwise name it: its notice gives the number), so an
answer never lands on a question it was not written for. The text may come on stdin
instead. If the worker has exited meanwhile and its CLI can resume, its session is resumed
with the answer; an answer no worker can receive is refused.
`;

/** Runs `dispatch answer`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, { question: { type: "string", short: "q" } }, HELP);
  if (!parsed) return 0;
  const [task, ...words] = parsed.positionals;
  if (!task) throw new UsageError('Missing TASK (usage: dispatch answer TASK "text")');
  const id = assertTaskId(task);
  const text = words.length > 0 ? words.join(" ") : await ctx.stdin();
  let question: number | undefined;
  if (parsed.values.question !== undefined) {
    question = Number(parsed.values.question);
    if (!Number.isInteger(question) || question < 1) {
      throw new UsageError(`Invalid --question: '${parsed.values.question}' (a question number, e.g. 1)`);
    }
  }
  checkMessage(text, "answer"); // bad input first, whatever the task's state
  await assertCanReceiveAnswer(ctx, id);
  const record = await answer(ctx, id, text, { question });
  let resumed: boolean;
  try {
    resumed = await afterAnswer(ctx, id, record.text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new StateError(
      `Answered question ${record.n} of ${id}, but its session could not be resumed: ${why} (run 'dispatch resume ${id}')`,
    );
  }
  ctx.stdout(`Answered question ${record.n} of ${id}${resumed ? "; its session was resumed" : ""}.\n`);
  return 0;
}
