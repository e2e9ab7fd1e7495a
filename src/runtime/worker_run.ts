/**
 * One run of a worker: start the worker CLI in its own process group behind
 * a tiny shell wrapper, and watch it until it exits for progress (a ticked
 * item), stalls and its deadline.
 *
 * The wrapper writes the worker's exit code to `exit_code` itself, so the
 * code survives even if the supervisor is killed; a later reconcile reads it.
 * @module
 */
import type { Ctx } from "../context.ts";
import type { LaunchSpec } from "../backends/types.ts";
import { progressOf } from "../plan/checklist.ts";
import { mtimeMs } from "../store/fsx.ts";
import { readPlanSync } from "../store/plan_file.ts";
import { taskPaths } from "../store/paths.ts";
import { openQuestions } from "../store/questions.ts";
import { readState, type TaskSpec, TERMINAL, updateState } from "../store/tasks.ts";
import { formatDuration } from "../duration.ts";
import { killTree } from "../proc/kill_tree.ts";
import { startTimeOf } from "../proc/procfs.ts";
import { emit } from "./events.ts";

const WRAPPER = [
  'exec <"$1" >>"$2" 2>&1',
  "exit_file=$3; shift 3",
  '"$@"',
  "c=$?",
  'printf "%s\\n" "$c" >"$exit_file.tmp" && mv -f "$exit_file.tmp" "$exit_file"',
  'exit "$c"',
].join("\n");

/** The limits a run is watched against. */
export interface Limits {
  /** No output and no plan change for this long is a stall. */
  stallMs: number;
  /** Kill the worker after this long (none when absent). */
  timeoutMs?: number;
  /** How often to look at the worker. */
  tickMs: number;
}

/** How a run ended. */
export interface RunResult {
  pid: number;
  code: number;
  signal: Deno.Signal | null;
  timedOut: boolean;
  /** The log's size when the run started: what came before is earlier runs' output. */
  logOffset: number;
}

/** Builds the worker's environment. */
export function workerEnv(
  ctx: Ctx,
  spec: TaskSpec,
  launch: LaunchSpec,
  extra: Record<string, string> = {},
): Record<string, string> {
  const paths = taskPaths(ctx.home, spec.id);
  const binDir = ctx.bin.slice(0, ctx.bin.lastIndexOf("/"));
  const env: Record<string, string> = { ...ctx.env };
  for (const name of launch.unsetEnv ?? []) delete env[name];
  return {
    ...env,
    ...extra,
    ...(launch.env ?? {}),
    PATH: `${binDir}:${ctx.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"}`,
    DISPATCH_HOME: ctx.home,
    DISPATCH_TASK: spec.id,
    DISPATCH_PLAN: paths.plan,
    DISPATCH_OUTPUT: paths.output,
    DISPATCH_BIN: ctx.bin,
  };
}

function spawnWorker(ctx: Ctx, spec: TaskSpec, launch: LaunchSpec): Deno.ChildProcess {
  const paths = taskPaths(ctx.home, spec.id);
  return new Deno.Command("sh", {
    args: [
      "-c",
      WRAPPER,
      "dispatch-wrapper",
      launch.stdin === "prompt" ? (launch.stdinFile ?? paths.prompt) : "/dev/null",
      paths.log,
      paths.exit,
      ...launch.argv,
    ],
    cwd: spec.cwd,
    env: workerEnv(ctx, spec, launch),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
}

/** Records the new run as `running` (unless the task ended meanwhile). */
function markRunning(ctx: Ctx, id: string, pid: number, started: number) {
  return updateState(ctx.home, id, (s) => {
    if (TERMINAL.has(s.state)) return undefined;
    const next = {
      ...s,
      state: "running" as const,
      pid,
      pidStart: startTimeOf(pid),
      supervisor: Deno.pid,
      supervisorStart: startTimeOf(Deno.pid),
      started: s.started ?? started,
      runs: (s.runs ?? 0) + 1,
    };
    delete next.reason;
    return next;
  });
}

/** Starts the worker once and watches it until it exits. */
export async function runWorker(
  ctx: Ctx,
  spec: TaskSpec,
  launch: LaunchSpec,
  limits: Limits,
): Promise<RunResult> {
  const id = spec.id;
  const paths = taskPaths(ctx.home, id);
  await Deno.remove(paths.exit).catch(() => {});
  const logOffset = await Deno.stat(paths.log).then((s) => s.size, () => 0);
  const child = spawnWorker(ctx, spec, launch);
  const started = ctx.now();
  const startedMono = ctx.monotonic(); // durations on the monotonic clock: a clock step must not fire the timeout
  const pid = child.pid;
  await markRunning(ctx, id, pid, started);
  // Cancelled before we got here: stop at once.
  if (TERMINAL.has((readState(ctx.home, id)).state)) await killTree({ pid, task: id }, 1000);

  // A plan change (an item ticked) wakes the loop at once, so progress is reported without waiting a tick.
  await using wake = ctx.watchDir(paths.dir, { match: (p) => p === paths.plan, pollMs: limits.tickMs });
  const exit = new AbortController();
  const status = child.status.finally(() => exit.abort());
  let timedOut = false;
  let lastDone = progressOf(readPlanSync(paths.plan) ?? "").done;
  let lastActivity = startedMono;
  let lastSeen = 0;
  while (!exit.signal.aborted) {
    await wake.wait(limits.tickMs, exit.signal);
    if (exit.signal.aborted) break;
    const now = ctx.monotonic();
    if (limits.timeoutMs !== undefined && now - startedMono > limits.timeoutMs && !timedOut) {
      timedOut = true;
      await killTree({ pid, task: id });
      continue;
    }
    const progress = progressOf(readPlanSync(paths.plan) ?? ""); // bounded; a folder or FIFO reads as ""
    if (progress.done !== lastDone) {
      lastDone = progress.done;
      await emit(ctx, spec, { type: "progress", done: progress.done, total: progress.total });
    }
    const seen = Math.max(
      await mtimeMs(paths.log),
      await mtimeMs(paths.plan),
      await mtimeMs(paths.questions),
    );
    if (seen !== lastSeen) {
      lastSeen = seen;
      lastActivity = now;
    }
    if (openQuestions(ctx.home, id).length > 0) lastActivity = now; // waiting on the user is not a stall
    await checkStall(ctx, spec, now - lastActivity, limits.stallMs);
  }
  const result = await status;
  return { pid, code: result.code, signal: result.signal, timedOut, logOffset };
}

/** Moves a running task to `stalled` (and says so) after `idleMs` of silence, and back when it stirs. */
async function checkStall(ctx: Ctx, spec: TaskSpec, idleMs: number, stallMs: number): Promise<void> {
  const state = (readState(ctx.home, spec.id)).state;
  if (state === "running" && idleMs > stallMs) {
    await updateState(
      ctx.home,
      spec.id,
      (s) => s.state === "running" ? { ...s, state: "stalled" } : undefined,
    );
    await emit(ctx, spec, {
      type: "stalled",
      text: `No output or plan change for ${formatDuration(idleMs)}`,
    });
  } else if (state === "stalled" && idleMs <= stallMs) {
    await updateState(
      ctx.home,
      spec.id,
      (s) => s.state === "stalled" ? { ...s, state: "running" } : undefined,
    );
  }
}
