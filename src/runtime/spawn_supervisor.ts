/**
 * Handing a task to a detached supervisor (`dispatch _supervise`), which
 * outlives the command that started it: on `start` and on `resume`.
 * @module
 */
import type { Ctx } from "../context.ts";
import { spawnDetached } from "../proc/spawn.ts";

/** Spawns the supervisor of task `id` in `cwd`; with `resume`, it continues the worker's session. */
export function spawnSupervisor(ctx: Ctx, id: string, cwd: string, opts: { resume?: boolean } = {}): number {
  return spawnDetached([...ctx.self, "_supervise", id, ...(opts.resume ? ["--resume"] : [])], {
    env: { ...ctx.env, DISPATCH_HOME: ctx.home, DISPATCH_SUPERVISES: id }, // found by id when state.json is unreadable
    cwd,
  });
}
