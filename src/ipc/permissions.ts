/**
 * The permission relay's protocol between a worker's relay and the host,
 * on the question files (`store/permissions.ts`): the worker side records a
 * request and reads (or waits for) its decision; the host side answers it
 * with the request as journaled, exactly once.
 * @module
 */
import type { HomeCtx } from "../context.ts";
import { StateError } from "../errors.ts";
import {
  type Decision,
  journaledRequests,
  type PermissionDecision,
  type PermissionRequest,
  readDecision,
  recordDecision,
  recordPermission,
} from "../store/permissions.ts";
import { listQuestions, messageFile } from "../store/questions.ts";
import { taskPaths } from "../store/paths.ts";
import { readSpec, withTaskLock } from "../store/tasks.ts";
import { withLock } from "../store/lock.ts";
import { emit } from "../runtime/events.ts";
import { waitForFile, type WaitOptions } from "./wait_for_file.ts";
import { crashPoint } from "../proc/crash_point.ts";

/**
 * Records a permission request for task `id` from the worker side (under
 * the worker's ask lock, so it numbers like `dispatch ask`): the same `call`
 * asked again gets its first number back. The supervisor journals it.
 */
export function askPermission(
  ctx: HomeCtx,
  id: string,
  request: PermissionRequest,
): Promise<{ n: number; created: boolean }> {
  return withLock(taskPaths(ctx.home, id).askLock, () => recordPermission(ctx.home, id, request, ctx.now()));
}

/**
 * Waits for the decision on question `n`: resolves with it, or undefined on
 * timeout or abort. A file in answers/ that is no permission answer is none.
 */
export async function waitForDecision(
  ctx: HomeCtx,
  id: string,
  n: number,
  opts: WaitOptions = {},
): Promise<PermissionDecision | undefined> {
  const answers = taskPaths(ctx.home, id).answers;
  const arrived = await waitForFile(ctx, answers, messageFile(n), opts);
  return arrived ? await readDecision(ctx.home, id, n) : undefined;
}

/**
 * What question `n` of task `id` is: `permission` when the supervisor
 * journaled it as one (the work/ file decides only while it is not yet
 * journaled), else `question`.
 */
export async function questionKind(ctx: HomeCtx, id: string, n: number): Promise<"permission" | "question"> {
  if ((await journaledRequests(ctx.home, id)).has(n)) return "permission";
  const file = listQuestions(ctx.home, id).find((q) => q.n === n);
  return file?.kind === "permission" ? "permission" : "question";
}

/** The request of permission question `n` as journaled; StateError when it has not reached the journal. */
export async function journaledRequest(ctx: HomeCtx, id: string, n: number): Promise<PermissionRequest> {
  const request = (await journaledRequests(ctx.home, id)).get(n);
  if (!request) {
    throw new StateError(
      `Not yet shown: permission question ${n} of task ${id} has not reached the journal; answer it once its notice arrives`,
    );
  }
  return request;
}

/**
 * Answers permission question `n` exactly once with `decision`, storing the
 * request as journaled (what may run). Throws StateError when it is not
 * journaled yet or was answered meanwhile.
 */
export function answerPermission(
  ctx: HomeCtx,
  id: string,
  n: number,
  decision: Decision,
  reason?: string,
): Promise<PermissionDecision> {
  const spec = readSpec(ctx.home, id);
  return withTaskLock(ctx.home, id, async () => {
    const request = await journaledRequest(ctx, id, n);
    const recorded = await recordDecision(ctx.home, id, n, decision, reason, request, ctx.now());
    crashPoint("answer:stored");
    await emit(ctx, spec, recorded.event);
    return { n, decision, ...(reason ? { reason } : {}), request };
  });
}
