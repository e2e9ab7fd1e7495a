/**
 * The detached process that runs one worker: it waits for a slot under the
 * concurrency cap, runs the worker (see `worker_run.ts`), retries it with
 * backoff when the provider rate-limits it, stops whatever it left running,
 * and records how it ended.
 * @module
 */
import type { Ctx } from "../context.ts";
import { StateError } from "../errors.ts";
import type { Config } from "../config/schema.ts";
import { loadConfig } from "../backends/config_file.ts";
import { adapterFor } from "../backends/registry.ts";
import { launchInput } from "../backends/launch_input.ts";
import type { BackendAdapter, LaunchSpec } from "../backends/types.ts";
import { writeAtomic } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import { readSpec, readState, type TaskSpec, TERMINAL, updateState } from "../store/tasks.ts";
import { formatDuration, parseDuration } from "../duration.ts";
import { killTree } from "../proc/kill_tree.ts";
import { addUsage, finalizeTask } from "./finalize.ts";
import { waitForSlot } from "./queue.ts";
import { backoffMs, shouldRetry } from "./retry.ts";
import { resumeLaunch, resumeMessage } from "./resume.ts";
import { type Limits, runWorker } from "./worker_run.ts";
import { lastDeferred, promptless, settleDeferred } from "./permission_run.ts";
import { guardedPaths, restoreGuarded, snapshotGuarded } from "./guard.ts";
import { prepareWorktree } from "./worktree_setup.ts";

/** Default stall window: no output and no plan change for this long. */
export const DEFAULT_STALL_MS = 10 * 60_000;

/** Options for {@linkcode supervise}. */
export interface SuperviseOptions {
  /** How often to look at the worker (tests shorten it). */
  tickMs?: number;
  /** Continue the worker's CLI session with the message `resume` left (`resume.md`) instead of a fresh launch. */
  resume?: boolean;
}

function limitsOf(ctx: Ctx, spec: TaskSpec, config: Config, opts: SuperviseOptions): Limits {
  const fromConfig = (v: string | number | undefined, what: string) =>
    v === undefined ? undefined : parseDuration(String(v), what);
  return {
    stallMs: spec.stallMs ?? fromConfig(config.limits?.stall, "limits.stall") ?? DEFAULT_STALL_MS,
    timeoutMs: spec.timeoutMs ?? fromConfig(config.limits?.timeout, "limits.timeout"),
    tickMs: opts.tickMs ?? Number(ctx.env.DISPATCH_TICK_MS ?? 2000),
  };
}

async function writeLaunchFiles(launch: LaunchSpec): Promise<void> {
  // Files the CLI's flags refer to (e.g. gemini's policy file).
  for (const [path, text] of Object.entries(launch.files ?? {})) {
    await writeAtomic(path, text); // never through a link planted at the name
  }
}

/** The first launch: fresh, or continuing the session `dispatch resume` asked for. */
async function firstLaunch(
  ctx: Ctx,
  config: Config,
  adapter: BackendAdapter,
  spec: TaskSpec,
  resume: boolean,
): Promise<LaunchSpec> {
  const paths = taskPaths(ctx.home, spec.id);
  if (!resume) {
    return adapter.launch(
      launchInput(ctx, config, spec, await Deno.readTextFile(paths.prompt), paths.prompt),
    );
  }
  const message = await Deno.readTextFile(paths.resume);
  const input = launchInput(ctx, config, spec, message, paths.resume);
  const launch = resumeLaunch(adapter, input, readState(ctx.home, spec.id).nativeSession, message);
  if (!launch) throw new StateError(`Cannot resume: task ${spec.id} has no resumable session`);
  // A run that stopped on a deferred call continues it: its approved command runs first, and no prompt.
  const deferred = await lastDeferred(ctx, spec, adapter);
  if (!deferred) return launch;
  await settleDeferred(ctx, spec.id, deferred);
  return promptless(launch);
}

/** Runs task `id`'s worker to the end. */
export async function supervise(ctx: Ctx, id: string, opts: SuperviseOptions = {}): Promise<void> {
  const paths = taskPaths(ctx.home, id);
  const spec = readSpec(ctx.home, id);
  let launch: LaunchSpec;
  let config: Config;
  let adapter: BackendAdapter;
  try {
    config = await loadConfig(ctx.home);
    adapter = await adapterFor(config, spec.backend);
    launch = await firstLaunch(ctx, config, adapter, spec, opts.resume ?? false);
    await writeLaunchFiles(launch);
  } catch (e) {
    await finalizeTask(ctx, id, { code: null, failed: true, reason: `Could not launch the worker: ${e}` });
    return;
  }
  const limits = limitsOf(ctx, spec, config, opts);
  if (!await waitForSlot(ctx, spec, config)) return; // cancelled while queued
  if (!opts.resume && spec.worktree) {
    // A fresh worktree gets its ignored files and its setup command first; a failed setup fails the task.
    const unready = await prepareWorktree(ctx, spec).catch((e) => `Worktree setup failed: ${e}`);
    if (unready) return void await finalizeTask(ctx, id, { code: null, failed: true, reason: unready });
  }

  const backoffBase = Number(ctx.env.DISPATCH_BACKOFF_MS ?? 30_000);
  let deniedEarlier = 0; // refused calls of the runs continued below
  const guardedEarlier: string[] = []; // and the protected files put back after them
  let continuations = 0; // deferred calls continued at once (an always-grant): bounded, whatever the worker does
  // `full` may change anything; below it, files that git, Claude Code or dispatch obey stay as they were.
  const guard = spec.tier === "full" ? undefined : snapshotGuarded(guardedPaths(spec));
  for (let attempt = 1;; attempt++) {
    const run = await runWorker(ctx, spec, launch, limits);
    // Whatever the worker left behind (tool shells in their own sessions, a pending ask) goes with it.
    await killTree({ pid: run.pid, task: id, cgroup: run.cgroup, home: ctx.home }, 500);
    const guarded = guard ? putBack(guard) : [];
    const { earlier, log } = await readLogSplit(paths.log, run.logOffset);
    // Earlier runs' output lets adapters turn session totals (codex, qwen) into this run's figures.
    const report = adapter.report?.(log, { earlierLog: earlier, code: run.code }) ?? {};
    const cancelled = TERMINAL.has((readState(ctx.home, id)).state);
    if (!run.timedOut && shouldRetry(report.rateLimited, attempt, cancelled)) {
      const delay = backoffMs(attempt, backoffBase);
      await updateState(ctx.home, id, (s) => ({
        ...s,
        ...(report.nativeSession ? { nativeSession: report.nativeSession } : {}),
        usage: addUsage(s.usage, report.usage),
        reason: `Rate limited; retry ${attempt} in ${formatDuration(delay)}`,
      }));
      if (!await sleepUnlessEnded(ctx, id, delay)) return;
      const session = report.nativeSession ?? (readState(ctx.home, id)).nativeSession;
      const input = launchInput(ctx, config, spec, await Deno.readTextFile(paths.prompt), paths.prompt);
      launch = resumeLaunch(adapter, input, session, resumeMessage(paths.plan)) ?? adapter.launch(input);
      await writeLaunchFiles(launch);
      continue;
    }
    if (
      report.deferred && !cancelled && continuations < 50 && await settleDeferred(ctx, id, report.deferred)
    ) {
      continuations++;
      deniedEarlier += report.denied ?? 0;
      guardedEarlier.push(...guarded);
      await updateState(ctx.home, id, (s) => ({
        ...s,
        ...(report.nativeSession ? { nativeSession: report.nativeSession } : {}),
        usage: addUsage(s.usage, report.usage),
      }));
      const session = report.nativeSession ?? (readState(ctx.home, id)).nativeSession;
      const input = launchInput(ctx, config, spec, "", paths.resume);
      const next = resumeLaunch(adapter, input, session, "");
      if (next) {
        launch = promptless(next);
        continue;
      }
    }
    await finalizeTask(ctx, id, {
      code: run.code,
      signal: run.signal,
      ...(run.timedOut
        ? { failed: true, reason: `Timed out after ${formatDuration(limits.timeoutMs!)}; worker tree killed` }
        : {}),
      ...(report.rateLimited && !run.timedOut
        ? { reason: `Still rate limited after ${attempt - 1} retries` }
        : {}),
      ...(run.reason && !run.timedOut ? { reason: run.reason } : {}), // the runner's word (runtime/runner.ts)
      nativeSession: report.nativeSession,
      usage: report.usage,
      failure: report.failure,
      refusal: report.refusal,
      resumable: adapter.resume !== undefined,
      deferred: report.deferred !== undefined,
      denied: deniedEarlier + (report.denied ?? 0),
      guarded: [...new Set([...guardedEarlier, ...guarded])],
    });
    return;
  }
}

/** Puts the protected files back; a failure to (a full disk) is named, not fatal to the record. */
function putBack(guard: ReturnType<typeof snapshotGuarded>): string[] {
  try {
    return restoreGuarded(guard);
  } catch (e) {
    return [`(could not put every protected file back: ${e instanceof Error ? e.message : e})`];
  }
}

/** Sleeps `ms` on the ctx clock, waking early and resolving false if the task ends (cancel). */
async function sleepUnlessEnded(ctx: Ctx, id: string, ms: number): Promise<boolean> {
  const until = ctx.monotonic() + ms;
  while (ctx.monotonic() < until) {
    await ctx.sleep(Math.min(1000, until - ctx.monotonic()));
    if (TERMINAL.has((readState(ctx.home, id)).state)) return false;
  }
  return true;
}

async function readLogSplit(path: string, offset: number): Promise<{ earlier: string; log: string }> {
  const bytes = await Deno.readFile(path).catch(() => new Uint8Array());
  const decoder = new TextDecoder();
  return { earlier: decoder.decode(bytes.subarray(0, offset)), log: decoder.decode(bytes.subarray(offset)) };
}
