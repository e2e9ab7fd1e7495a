/**
 * `dispatch answer`: deliver the user's answer to a worker's open question.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { answer } from "../ipc/questions.ts";
import { assertTaskId } from "../store/paths.ts";
import { afterAnswer } from "../runtime/resume.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch answer TASK "text" [--question N]

Delivers the answer to the task's oldest open question (or question N), exactly once.
The text may come on stdin instead. If the worker has exited meanwhile and its CLI can
resume, its session is resumed with the answer.
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
  const record = await answer(ctx, id, text, { question });
  const resumed = await afterAnswer(ctx, id, record.text);
  ctx.stdout(`Answered question ${record.n} of ${id}${resumed ? "; its session was resumed" : ""}.\n`);
  return 0;
}
