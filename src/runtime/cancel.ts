/**
 * Cancelling a task: record `cancelled` first (so the supervisor, seeing
 * its worker die, does not report a failure), then stop the whole tree.
 * @module
 */
import { readSpec, TERMINAL, updateState } from "../store/tasks.ts";
import { emit } from "./events.ts";
import { killTree } from "../proc/kill_tree.ts";

/** Cancels task `id`. Resolves false when it had already ended. */
export async function cancelTask(
  home: string,
  id: string,
  reason: string,
  now = Date.now(),
): Promise<boolean> {
  const spec = readSpec(home, id);
  let changed = false;
  const state = await updateState(home, id, (s) => {
    if (TERMINAL.has(s.state)) return undefined;
    changed = true;
    return { ...s, state: "cancelled", reason, ended: now };
  });
  if (!changed) return false;
  await emit(home, spec, { type: "cancelled", text: reason }, now);
  await killTree({ pid: state.pid, task: id });
  return true;
}
