/**
 * The supervisor's half of the claude permission relay. A run that stopped
 * on a deferred call (`RunReport.deferred`) continues once the call has a
 * decision: for `allow` or `always` the supervisor (trusted, outside the
 * worker's sandbox) first runs the command *as the answer stored it*, in
 * its cwd, and keeps its output and exit code (`store/permission_output.ts`);
 * then the session is resumed with no prompt and the worker's hook, asked
 * again with the same call id, hands that output back.
 * @module
 */
import type { Ctx } from "../context.ts";
import type { BackendAdapter, DeferredCall, LaunchSpec } from "../backends/types.ts";
import { type PermissionDecision, permissionForCall, readDecision } from "../store/permissions.ts";
import {
  MAX_PERMISSION_OUTPUT,
  permissionOutputFile,
  readPermissionOutput,
  writeOutputText,
  writePermissionOutput,
} from "../store/permission_output.ts";
import { taskPaths } from "../store/paths.ts";
import { withLock } from "../store/lock.ts";
import type { TaskSpec } from "../store/tasks.ts";
import { killTree } from "../proc/kill_tree.ts";
import { spawnDetachedChild } from "../proc/spawn.ts";
import { loadConfig } from "../backends/config_file.ts";
import { adapterFor } from "../backends/registry.ts";

/** How long an approved command may run before it is killed. */
export const APPROVED_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs the approved command of `decision` once (a record means it ran) with
 * the user's environment, in the request's cwd, stdout and stderr into its
 * output file, capped. Resolves with the exit code.
 */
export async function runApproved(
  ctx: Ctx,
  id: string,
  decision: PermissionDecision,
  timeoutMs = APPROVED_TIMEOUT_MS,
): Promise<number> {
  // Two resumes racing (a supervisor and a reconcile, say) must not both run it: one runs, one reads the record.
  const out = await permissionOutputFile(ctx.home, id, decision.n);
  return await withLock(`${out.slice(0, -4)}.lock`, () => runOnce(ctx, id, decision, out, timeoutMs));
}

async function runOnce(
  ctx: Ctx,
  id: string,
  decision: PermissionDecision,
  out: string,
  timeoutMs: number,
): Promise<number> {
  const command = decision.request.command!;
  const done = readPermissionOutput(ctx.home, id, decision.n);
  if (done && done.command === command) return done.code;
  let code: number;
  try {
    const real = await Deno.realPath(decision.request.cwd);
    // Shown to the user resolved: a link in its place now (the worker's, made since) would run it elsewhere.
    if (real !== decision.request.cwd) {
      throw new Error(`its cwd ${decision.request.cwd} is now a link to ${real}`);
    }
    // The output goes to a file (no pipe to drain); `eval` runs the approved text exactly.
    const child = spawnDetachedChild(["sh", "-c", 'eval "$1" >"$2" 2>&1 </dev/null', "sh", command, out], {
      cwd: decision.request.cwd,
      env: ctx.env,
    });
    const timer = setTimeout(() => void killTree({ pid: child.pid }, 500), timeoutMs);
    const status = await child.status.finally(() => clearTimeout(timer));
    code = status.signal ? 128 + (status.signal === "SIGKILL" ? 9 : 15) : status.code;
    await capFile(out, MAX_PERMISSION_OUTPUT);
  } catch (e) {
    code = 127;
    await writeOutputText(
      ctx.home,
      id,
      decision.n,
      `dispatch: could not run it: ${e instanceof Error ? e.message : e}\n`,
    );
  }
  await writePermissionOutput(ctx.home, id, { n: decision.n, command, code, output: out, ts: ctx.now() });
  return code;
}

/** Cuts `path` to `max` bytes, saying so at the end. */
async function capFile(path: string, max: number): Promise<void> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (!info || info.size <= max) return;
  await Deno.truncate(path, max);
  await Deno.writeTextFile(path, `\n[dispatch: output cut at ${max} bytes of ${info.size}]\n`, {
    append: true,
  });
}

/**
 * Gets deferred call `deferred` of task `id` ready to resume: true when it
 * has a decision (an approved command has then run), false while it waits
 * for one (or no question records it).
 */
export async function settleDeferred(ctx: Ctx, id: string, deferred: DeferredCall): Promise<boolean> {
  const n = permissionForCall(ctx.home, id, deferred.call);
  if (n === undefined) return false;
  const decision = await readDecision(ctx.home, id, n);
  if (!decision) return false;
  if (decision.decision !== "deny" && decision.request.command !== undefined) {
    await runApproved(ctx, id, decision);
  }
  return true;
}

/** A resume launch that continues a deferred call: no prompt, stdin /dev/null. */
export function promptless(launch: LaunchSpec): LaunchSpec {
  const { stdinFile: _, ...rest } = launch;
  return { ...rest, stdin: "null" };
}

/** The deferred call the task's last run stopped on, read from its whole log, if it stopped on one. */
export async function lastDeferred(
  ctx: Pick<Ctx, "home">,
  spec: TaskSpec,
  adapter: BackendAdapter,
): Promise<DeferredCall | undefined> {
  const log = await Deno.readTextFile(taskPaths(ctx.home, spec.id).log).catch(() => "");
  return adapter.report?.(log, {}).deferred;
}

/**
 * What a supervisor would have read from the run's output, for a reconcile
 * that finds the worker exited and its supervisor gone (killed while a
 * question was open): the session, whether the CLI can resume it, and the
 * deferred call. Empty when the backend cannot be loaded.
 */
export async function factsFromLog(
  ctx: Pick<Ctx, "home">,
  spec: TaskSpec,
): Promise<{ nativeSession?: string; resumable?: boolean; deferred?: boolean }> {
  const adapter = await adapterFor(await loadConfig(ctx.home), spec.backend).catch(() => undefined);
  if (!adapter) return {};
  const log = await Deno.readTextFile(taskPaths(ctx.home, spec.id).log).catch(() => "");
  const report = adapter.report?.(log, {}) ?? {};
  return {
    ...(report.nativeSession ? { nativeSession: report.nativeSession } : {}),
    resumable: adapter.resume !== undefined,
    ...(report.deferred ? { deferred: true } : {}),
  };
}
