/**
 * Cancelling a task: mark the intent, stop the whole tree, then record
 * `cancelled`, so a full disk, a damaged task folder or a crash in between
 * can never leave the worker running or its death read as a failure.
 * Both happen under the task's lock: the supervisor, seeing its worker die,
 * waits for the lock and then finds `cancelled` already recorded, so it
 * does not report a failure.
 * @module
 */
import type { Ctx } from "../context.ts";
import { StateError } from "../errors.ts";
import { writeJsonAtomic } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import { readSpec, readState, storable, type TaskState, TERMINAL, withTaskLock } from "../store/tasks.ts";
import { announceEnd } from "./announce.ts";
import { killTree } from "../proc/kill_tree.ts";
import { crashPoint } from "../proc/crash_point.ts";
import { cancelTaskJob, JobCancelError } from "./runner_slurm.ts";

/** The empty file a cancel leaves before it stops the tree, until the cancel is recorded. */
export function cancelMarker(home: string, id: string): string {
  return taskPaths(home, id).cancelled;
}

/** The reason a late-recorded cancel gets. */
export const LATE_CANCEL_REASON =
  "cancelled by the user (recorded late: the cancel stopped the worker but was cut short, by a full disk or a crash, before it could record it)";

function isOver(s: TaskState): boolean {
  return TERMINAL.has(s.state) && s.unreadable === undefined;
}

/** Cancels task `id`. Resolves false when it had already ended. */
export async function cancelTask(
  ctx: Pick<Ctx, "home" | "now">,
  id: string,
  reason: string,
): Promise<boolean> {
  const home = ctx.home;
  const now = ctx.now();
  const spec = readSpec(home, id);
  let stopped = false;
  try {
    return await withTaskLock(home, id, async () => {
      const current = readState(home, id);
      if (isOver(current)) return false;
      // The intent first: whoever finds the worker dead of this kill (its supervisor, a reader after a
      // crash here) records a cancel, not a failure.
      await markCancel(home, id);
      crashPoint("cancel:marked");
      await cancelTaskJob(spec, current); // on a scheduler: scancel first, which a node's processes obey
      await killTree({ pid: localPid(current), task: id, home, cgroup: containmentPath(current) });
      stopped = true;
      crashPoint("cancel:stopped");
      await announceEnd(
        home,
        spec,
        now,
        { type: "cancelled", text: reason },
        () => recordCancel(home, id, current, reason, now),
      );
      return true;
    });
  } catch (e) {
    if (e instanceof JobCancelError) {
      await Deno.remove(cancelMarker(home, id)).catch(() => {}); // the scheduler refused: nothing was stopped
      throw e;
    }
    // The lock itself failed (a full disk, a deleted folder): stop the tree all the same.
    if (!stopped && !isOver(readState(home, id))) {
      const last = readState(home, id);
      await killTree({ pid: localPid(last), task: id, home, cgroup: containmentPath(last) });
      stopped = true;
    }
    if (!stopped) throw e;
    await markCancel(home, id).catch(() => {});
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new StateError(
      `Stopped task ${id}'s worker and its whole tree, but could not record the cancel: ${why} (free space if the disk is full; 'dispatch status ${id}' then shows how it ended)`,
      75,
    );
  }
}

/** Leaves the cancel's marker. An empty file needs no data block, so it fits on a full disk. */
async function markCancel(home: string, id: string): Promise<void> {
  await Deno.writeFile(cancelMarker(home, id), new Uint8Array(), { createNew: true, mode: 0o600 }).catch(
    (e) => {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    },
  );
}

/** Writes `cancelled` over `current` (call under the task's lock, after the tree is stopped). */
export async function recordCancel(
  home: string,
  id: string,
  current: TaskState,
  reason: string,
  now: number,
): Promise<TaskState> {
  const next: TaskState = { ...storable(current), state: "cancelled", reason, ended: now };
  await writeJsonAtomic(taskPaths(home, id).state, next);
  await Deno.remove(cancelMarker(home, id)).catch(() => {});
  return next;
}

/** The worker's pid when it is one of this machine's: a scheduler's job records a pid of its node. */
function localPid(state: TaskState): number | undefined {
  return state.job ? undefined : state.pid;
}

/** The cgroup a task's state names (killTree checks it is really this task's). */
function containmentPath(state: TaskState): string | undefined {
  return state.containment?.kind === "cgroup" ? state.containment.path : undefined;
}
