/**
 * One run of a worker: start the worker CLI in its own process group behind
 * a tiny shell wrapper, and watch it until it exits for progress (a ticked
 * item), stalls and its deadline.
 *
 * The wrapper writes the worker's exit code to `exit_code` itself, so the
 * code survives even if the supervisor is killed; a later reconcile reads it.
 * @module
 */
import type { Ctx, DirWatch } from "../context.ts";
import type { LaunchSpec } from "../backends/types.ts";
import { progressOf } from "../plan/checklist.ts";
import { ensureDir, mtimeMs, prepareAppend } from "../store/fsx.ts";
import { readPlanSync } from "../store/plan_file.ts";
import { taskPaths } from "../store/paths.ts";
import { openQuestions } from "../store/questions.ts";
import { readState, type TaskSpec, TERMINAL, updateState } from "../store/tasks.ts";
import { formatDuration } from "../duration.ts";
import { joinFile, prepareCgroup } from "../proc/containment.ts";
import { emit } from "./events.ts";
import { questionJournal } from "./question_journal.ts";
import { crashPoint } from "../proc/crash_point.ts";
import { type Sandbox, sandboxedArgv } from "./sandbox.ts";
import { recordStart, type StartedWorker, startWorker, type WorkerCommand } from "./runner.ts";

const WRAPPER = [
  'exec <"$1" >>"$2" 2>&1',
  "exit_file=$3; join=$4; shift 4",
  // Join the task's cgroup before anything starts, so all the CLI ever forks is in it.
  '[ -z "$join" ] || echo $$ >"$join" || echo "dispatch: Could not join the task cgroup: process-tree containment"',
  '"$@"',
  "c=$?",
  "umask 077; set -C", // the exit code's file is 0600, created O_EXCL under a random name; the worker kept the user's umask
  't=$(mktemp -u "$exit_file.XXXXXXXXXX") && printf "%s\\n" "$c" >"$t" && mv -fT "$t" "$exit_file"',
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
  /** The worker's root pid, when it ran on this machine. */
  pid?: number;
  /** Null when no code was recorded (a scheduler's job that vanished or was cancelled while pending). */
  code: number | null;
  signal: Deno.Signal | null;
  timedOut: boolean;
  /** The log's size when the run started: what came before is earlier runs' output. */
  logOffset: number;
  /** The run's cgroup, when it had one: the supervisor kills and removes it after. */
  cgroup?: string;
  /** Why it ended, when the runner knows more than the code says. */
  reason?: string;
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

/** The wrapper command for the worker: what any runner starts. */
function wrapperCommand(
  ctx: Ctx,
  spec: TaskSpec,
  launch: LaunchSpec,
  cgroup?: string,
): { cmd: WorkerCommand; sandbox: Sandbox } {
  const paths = taskPaths(ctx.home, spec.id);
  const env = workerEnv(ctx, spec, launch);
  const { argv, sandbox } = sandboxedArgv(ctx.home, spec, launch, env);
  const stdin = launch.stdin === "prompt" ? (launch.stdinFile ?? paths.prompt) : "/dev/null";
  const args = [stdin, paths.log, paths.exit, joinFile(cgroup), ...argv];
  return { cmd: { argv: ["sh", "-c", WRAPPER, "dispatch-wrapper", ...args], env, cwd: spec.cwd }, sandbox };
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
  const logOffset = await prepareAppend(paths.log); // 0600, and a link planted there is discarded
  // The folders `ask` writes exist before the worker does, so the question watch below sees every file.
  await Promise.all([ensureDir(paths.questions), ensureDir(paths.answers), ensureDir(paths.receipts)]);
  const questions = await questionJournal(ctx, spec);
  // Watch and read the plan before the worker starts: a worker that ticks at once must still be seen to.
  // A plan change (an item ticked) wakes the loop at once, so progress is reported without waiting a tick.
  // The worker may plant a FIFO there, which would wedge the watcher (see WatchDirOptions.untrusted).
  // A worker on another node writes over a shared filesystem, which inotify does not see: poll faster.
  const pollMs = Math.min(limits.tickMs, spec.runner?.pollMs ?? limits.tickMs);
  await using wake = ctx.watchDir(paths.work, { match: (p) => p === paths.plan, pollMs, untrusted: true });
  // A question file wakes it too: the supervisor, not the worker, journals it (see question_journal.ts).
  await using asked = ctx.watchDir(paths.questions, { pollMs, untrusted: true });
  let lastDone = progressOf(readPlanSync(paths.plan) ?? "").done;
  const cgroup = spec.runner ? undefined : prepareCgroup(id, ctx.home, ctx.env); // a node's cgroups are not ours
  const { cmd, sandbox } = wrapperCommand(ctx, spec, launch, cgroup);
  let worker: StartedWorker;
  try {
    worker = await startWorker(ctx, spec, cmd, cgroup);
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return {
      code: null,
      signal: null,
      timedOut: false,
      logOffset,
      reason: `Could not start the worker: ${why}`,
    };
  }
  const startedMono = ctx.monotonic(); // durations on the monotonic clock: a clock step must not fire the timeout
  const pid = worker.pid;
  crashPoint("supervisor:spawned");
  // A scheduler's job runs when the scheduler says: the timeout and the stall window start then.
  const run = await recordStart(ctx, id, worker, cgroup, sandbox, startedMono);
  // Cancelled before we got here: stop at once.
  if (TERMINAL.has((readState(ctx.home, id)).state)) await worker.stop(1000);

  const exit = new AbortController();
  const status = worker.status.finally(() => exit.abort());
  let timedOut = false;
  let lastActivity = startedMono;
  let lastSeen = 0;
  while (!exit.signal.aborted) {
    await waitEither(wake, asked, limits.tickMs, exit.signal);
    await questions.sweep();
    if (exit.signal.aborted) break;
    const now = ctx.monotonic();
    const runningSince = run.since();
    if (runningSince === undefined) lastActivity = now; // queued in the scheduler is not a stall
    else if (limits.timeoutMs !== undefined && now - runningSince > limits.timeoutMs && !timedOut) {
      timedOut = true;
      await worker.stop();
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
  await run.recorded; // recorded `running` before its end is, never after
  await worker.cleanup();
  await questions.sweep(); // asked just before it exited
  const reason = result.reason ? { reason: result.reason } : {};
  return { pid, code: result.code, signal: result.signal, timedOut, logOffset, cgroup, ...reason };
}

/** Waits on two folder watches at once: whichever wakes first (or the time, or the signal). */
async function waitEither(a: DirWatch, b: DirWatch, ms: number, signal: AbortSignal): Promise<void> {
  const first = new AbortController();
  const stop = () => first.abort();
  signal.addEventListener("abort", stop);
  if (signal.aborted) stop();
  try {
    await Promise.race([a.wait(ms, first.signal), b.wait(ms, first.signal)]);
  } finally {
    first.abort();
    signal.removeEventListener("abort", stop);
  }
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
