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
import { readSpec, readState, updateState } from "../store/tasks.ts";
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

/** After an answer: resume the worker if it exited waiting for one. True when resumed. */
export async function afterAnswer(ctx: Ctx, id: string, answer: string): Promise<boolean> {
  const state = readState(ctx.home, id);
  if (state.state !== "waiting" || isAlive(state.pid, state.pidStart)) return false;
  await resumeTask(ctx, id, resumeMessage(taskPaths(ctx.home, id).plan, answer));
  return true;
}
