/**
 * Cancelling a task: record `cancelled` first (so the supervisor, seeing
 * its worker die, does not report a failure), then stop the whole tree.
 * @module
 */
import type { Ctx } from "../context.ts";
import { readSpec, TERMINAL, updateState } from "../store/tasks.ts";
import { emit } from "./events.ts";
import { killTree } from "../proc/kill_tree.ts";

/** Cancels task `id`. Resolves false when it had already ended. */
export async function cancelTask(
  ctx: Pick<Ctx, "home" | "now">,
  id: string,
  reason: string,
): Promise<boolean> {
  const home = ctx.home;
  const now = ctx.now();
  const spec = readSpec(home, id);
  let changed = false;
  const state = await updateState(home, id, (s) => {
    if (TERMINAL.has(s.state)) return undefined;
    changed = true;
    return { ...s, state: "cancelled", reason, ended: now };
  });
  if (!changed) return false;
  await emit({ home, now: () => now }, spec, { type: "cancelled", text: reason });
  await killTree({ pid: state.pid, task: id, home, cgroup: (state.containment as { path?: string })?.path });
  return true;
}
