/**
 * `dispatch note`: add context for a running worker.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { assertTaskId, taskPaths } from "../store/paths.ts";
import { readSpec, withTaskLock } from "../store/tasks.ts";
import { readTextOrUndefined, writeAtomic } from "../store/fsx.ts";
import { emit } from "../runtime/events.ts";
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
  const text = (words.length > 0 ? words.join(" ") : await ctx.stdin()).trim();
  if (text === "") throw new UsageError("Empty note: give the text as an argument or on stdin");
  const spec = readSpec(ctx.home, id);
  const paths = taskPaths(ctx.home, id);
  await withTaskLock(ctx.home, id, async () => {
    const plan = (await readTextOrUndefined(paths.plan)) ?? "";
    const heading = "## Notes from the user";
    const addition = `${plan.includes(heading) ? "" : `\n${heading}\n`}- ${text.replace(/\n/g, " ")}\n`;
    await writeAtomic(paths.plan, plan + addition);
  });
  await emit(ctx.home, spec, { type: "noted", text }, ctx.now());
  ctx.stdout(`Noted for ${id}.\n`);
  return 0;
}
