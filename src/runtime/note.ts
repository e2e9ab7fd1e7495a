/**
 * Notes from the user for a running worker: appended to its plan under
 * "Notes from the user", which workers re-read as they tick items.
 * @module
 */
import type { Ctx } from "../context.ts";
import { readTextOrUndefined, writeAtomic } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import { readSpec, withTaskLock } from "../store/tasks.ts";
import { emit } from "./events.ts";

const HEADING = "## Notes from the user";

/** Appends `text` (one line) to task `id`'s plan, under the task's lock, and records a `noted` event. */
export async function addNote(ctx: Ctx, id: string, text: string): Promise<void> {
  const spec = readSpec(ctx.home, id);
  const paths = taskPaths(ctx.home, id);
  await withTaskLock(ctx.home, id, async () => {
    const plan = (await readTextOrUndefined(paths.plan)) ?? "";
    const addition = `${plan.includes(HEADING) ? "" : `\n${HEADING}\n`}- ${text.replace(/\n/g, " ")}\n`;
    await writeAtomic(paths.plan, plan + addition);
  });
  await emit(ctx, spec, { type: "noted", text });
}
