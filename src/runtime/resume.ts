/**
 * Continuing a worker that has exited, in its CLI's own session, so it keeps
 * its context: after an answer arrives for a worker that exited with a
 * question open, or on `dispatch resume`.
 * @module
 */
import type { Ctx } from "../context.ts";
import { StateError } from "../errors.ts";
import { loadConfig } from "../backends/config_file.ts";
import { adapterFor } from "../backends/registry.ts";
import type { BackendAdapter, LaunchInput, LaunchSpec } from "../backends/types.ts";
import { writeAtomic } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import { readSpec, readState, TERMINAL, updateState } from "../store/tasks.ts";
import { reconcileTask } from "./reconcile.ts";
import { emit } from "./events.ts";
import { isAlive } from "../proc/procfs.ts";
import { spawnSupervisor } from "./spawn_supervisor.ts";

/** The message a resumed worker gets. */
export function resumeMessage(planPath: string, answer?: string): string {
  return answer !== undefined
    ? `The user answered your question: ${answer}\nContinue with your plan in ${planPath}.`
    : `Continue with your plan in ${planPath}: do the items not yet ticked.`;
}

/**
 * The launch that continues a worker in its CLI session `session` with
 * `message`, or undefined when there is no session or the CLI cannot
 * resume. `input` carries the prompt text and file the CLI is fed.
 */
export function resumeLaunch(
  adapter: BackendAdapter,
  input: LaunchInput,
  session: string | undefined,
  message: string,
): LaunchSpec | undefined {
  return session && adapter.resume ? adapter.resume(input, session, message) : undefined;
}

/**
 * Resumes task `id` with `message` in a new detached supervisor. Throws
 * StateError when its worker is still running, its CLI cannot resume, or no
 * session id was recorded.
 */
export async function resumeTask(ctx: Ctx, id: string, message: string): Promise<void> {
  const spec = readSpec(ctx.home, id);
  const state = readState(ctx.home, id);
  if (isAlive(state.pid, state.pidStart)) throw new StateError(`Still running: task ${id} has a live worker`);
  const adapter = await adapterFor(await loadConfig(ctx.home), spec.backend);
  if (!adapter.resume) throw new StateError(`Cannot resume: backend '${spec.backend}' has no resume support`);
  if (!state.nativeSession) {
    throw new StateError(
      `Cannot resume: no session id was recorded for task ${id} (see 'dispatch logs ${id}')`,
    );
  }
  const paths = taskPaths(ctx.home, id);
  await writeAtomic(paths.resume, message);
  await updateState(ctx.home, id, (s) => {
    const next = { ...s, state: "starting" as const, since: ctx.now() };
    delete next.supervisor;
    delete next.supervisorStart;
    delete next.ended;
    delete next.reason;
    delete next.code;
    return next;
  });
  await emit(ctx, spec, { type: "resumed" });
  spawnSupervisor(ctx, id, spec.cwd, { resume: true });
}

/**
 * Checks that an answer can reach task `id` before it is stored: its worker
 * is alive (or starting), or it exited waiting and its CLI can resume the
 * session. Throws StateError with the reason and what to do otherwise, so
 * "Answered" is never said of an answer no one will read.
 */
export async function assertCanReceiveAnswer(ctx: Ctx, id: string): Promise<void> {
  const spec = readSpec(ctx.home, id);
  const state = await reconcileTask(ctx, id); // a worker that died unseen is found out here
  if (state.unreadable !== undefined) return; // reconcile left it: its processes live
  if (TERMINAL.has(state.state)) {
    throw new StateError(
      `Cannot answer: task ${id} has ended (${state.state}${
        state.reason ? `: ${state.reason}` : ""
      }), so no worker would read it; start a new task with the answer in its plan`,
    );
  }
  if (state.state !== "waiting" || isAlive(state.pid, state.pidStart)) return;
  const adapter = await adapterFor(await loadConfig(ctx.home), spec.backend).catch(() => undefined);
  const why = !adapter
    ? `its backend '${spec.backend}' is no longer usable`
    : !adapter.resume
    ? `backend '${spec.backend}' cannot resume a session`
    : !state.nativeSession
    ? "no session id was recorded"
    : undefined;
  if (why) {
    throw new StateError(
      `Cannot answer: task ${id}'s worker has exited and cannot be resumed (${why}); cancel it and start a new task with the answer in its plan`,
    );
  }
}

/** After an answer: resume the worker if it exited waiting for one. True when resumed. */
export async function afterAnswer(ctx: Ctx, id: string, answer: string): Promise<boolean> {
  const state = readState(ctx.home, id);
  if (state.state !== "waiting" || isAlive(state.pid, state.pidStart)) return false;
  await resumeTask(ctx, id, resumeMessage(taskPaths(ctx.home, id).plan, answer));
  return true;
}
