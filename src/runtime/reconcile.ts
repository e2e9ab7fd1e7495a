/**
 * Making the registry tell the truth after crashes: a task whose supervisor
 * and worker are both gone is finalized from the exit code the worker's
 * wrapper left behind (or as failed with no code), so nothing shows
 * `running` when its process is gone.
 * @module
 */
import type { Ctx } from "../context.ts";
import { taskPaths } from "../store/paths.ts";
import { exists, readTextOrUndefined } from "../store/fsx.ts";
import { readSpec, readState, type TaskSpec, type TaskState, TERMINAL } from "../store/tasks.ts";
import { replayAnnouncement } from "./announce.ts";
import { finalizeTask } from "./finalize.ts";
import { jobLiveness } from "./runner_slurm.ts";
import { killTree } from "../proc/kill_tree.ts";
import { isAlive, livePidsWithEnv } from "../proc/procfs.ts";
import { cgroupName, isEmpty, isTaskCgroup, removeCgroup } from "../proc/cgroup.ts";

/** How long a task may sit in `starting` before its supervisor is presumed lost. */
export const START_GRACE_MS = 30_000;

/** True when the task's processes are as its state says (nothing to fix). */
export function needsReconcile(state: TaskState, created: number, now: number): boolean {
  if (TERMINAL.has(state.state)) return false;
  if (state.state === "starting" && state.supervisor === undefined) {
    return now - (state.since ?? created) > START_GRACE_MS;
  }
  if (state.state === "queued" || state.state === "starting") {
    return !isAlive(state.supervisor, state.supervisorStart);
  }
  if (isAlive(state.supervisor, state.supervisorStart)) return false;
  if (isAlive(state.pid, state.pidStart)) return false;
  // A persisted `waiting` is a resumable worker that exited with a question open: no process is right.
  return state.state !== "waiting";
}

/** Fixes one task if its processes are gone; resolves with its (possibly new) state. */
export async function reconcileTask(ctx: Pick<Ctx, "home" | "now">, id: string): Promise<TaskState> {
  const home = ctx.home;
  const now = ctx.now();
  const paths = taskPaths(home, id);
  // An end event a crash left unjournaled (runtime/announce.ts): a stat in the common case.
  if (await exists(paths.announce)) await replayAnnouncement(ctx, readSpec(home, id));
  const state = readState(home, id);
  if (state.unreadable !== undefined) {
    // No pids to trust: the task lives while any process carries its id (its worker tree, its supervisor).
    if (taskHasProcesses(id)) return state;
  } else if (TERMINAL.has(state.state)) return state;
  const spec = readSpec(home, id);
  if (state.unreadable === undefined && !needsReconcile(state, spec.created, now)) return state;
  if (state.job && spec.runner && state.unreadable === undefined) {
    return reconcileJob(ctx, spec, state.job.id, state);
  }
  if (state.state === "starting" || state.state === "queued") {
    const reason = state.supervisor === undefined
      ? "Supervisor never started"
      : `Supervisor died while the task was ${state.state}`;
    // A supervisor killed between spawning its worker and recording it leaves a worker nobody watches.
    if (taskHasProcesses(id)) await killTree({ task: id, home });
    return finalizeTask(ctx, id, { code: null, failed: true, reason });
  }
  // A cancel marker is weighed by finalizeTask: the worker died of the cancel only if it did not exit itself.
  const text = await readTextOrUndefined(paths.exit);
  const code = text !== undefined && /^\d+\s*$/.test(text) ? Number(text) : null;
  const next = await finalizeTask(ctx, id, {
    code,
    ...(code === null ? { reason: NO_CODE_REASON } : {}),
  });
  dropEmptyCgroup(home, id, state);
  return next;
}

/**
 * A task on a scheduler with no supervisor: alive while the scheduler holds its job (no local pid is
 * expected), over when the scheduler says so or no longer lists it; unknown (controller down) is not dead.
 */
async function reconcileJob(
  ctx: Pick<Ctx, "home" | "now">,
  spec: TaskSpec,
  jobId: string,
  state: TaskState,
): Promise<TaskState> {
  const live = await jobLiveness(ctx.home, spec, jobId);
  if (live.kind !== "ended") return state;
  const { code, signal, reason } = live.exit;
  return finalizeTask(ctx, spec.id, { code, signal, ...(reason ? { reason } : {}) });
}

/** Removes the task's cgroup when nothing is left in it: a killed supervisor could not. */
function dropEmptyCgroup(home: string, id: string, state: TaskState): void {
  const path = state.containment?.kind === "cgroup" ? state.containment.path : undefined;
  if (path && isTaskCgroup(path, cgroupName(id, home)) && isEmpty(path)) removeCgroup(path);
}

/**
 * The reason when worker and supervisor are gone with no exit code. Not
 * "killed": a full disk also leaves no code, and no supervisor able to record.
 */
export const NO_CODE_REASON =
  "Worker and its supervisor are gone and no exit code was recorded (killed, or the disk was full)";

/** True while some live process carries task `id`: its worker tree (DISPATCH_TASK) or supervisor. */
export function taskHasProcesses(id: string): boolean {
  return livePidsWithEnv(`DISPATCH_TASK=${id}`).length > 0 ||
    livePidsWithEnv(`DISPATCH_SUPERVISES=${id}`).length > 0;
}
