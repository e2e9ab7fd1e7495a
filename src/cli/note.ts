/**
 * `dispatch note`: add context for a running worker.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { assertTaskId } from "../store/paths.ts";
import { addNote } from "../runtime/note.ts";
import { checkMessage } from "../store/questions.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch note TASK "text"

Adds context for a worker: appended to its plan under "Notes from the user", which
workers re-read as they tick items. The text may come on stdin instead.
`;

/** Runs `dispatch note`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, {}, HELP);
  if (!parsed) return 0;
  const [task, ...words] = parsed.positionals;
  if (!task) throw new UsageError('Missing TASK (usage: dispatch note TASK "text")');
  const id = assertTaskId(task);
  const raw = (words.length > 0 ? words.join(" ") : await ctx.stdin()).trim();
  if (raw === "") throw new UsageError("Empty note: give the text as an argument or on stdin");
  const text = checkMessage(raw, "note"); // bounded, no NUL
  await addNote(ctx, id, text);
  ctx.stdout(`Noted for ${id}.\n`);
  return 0;
}
