/**
 * `dispatch _supervise ID [--resume]`: internal; the detached supervisor
 * `start` and `resume` launch.
 * @module
 */
import type { Ctx } from "../context.ts";
import { assertTaskId } from "../store/paths.ts";
import { supervise } from "../runtime/supervisor.ts";

/** Runs the supervisor for one task. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const id = assertTaskId(args[0] ?? "");
  await supervise(ctx, id, { resume: args[1] === "--resume" });
  return 0;
}
