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
import { killTree } from "../proc/kill_tree.ts";
import { startTimeOf } from "../proc/procfs.ts";
import { confirmCgroup, type Containment, joinFile, prepareCgroup } from "../proc/containment.ts";
import { emit } from "./events.ts";
import { questionJournal } from "./question_journal.ts";
import { crashPoint } from "../proc/crash_point.ts";
import { type Sandbox, sandboxedArgv } from "./sandbox.ts";

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
  pid: number;
  code: number;
  signal: Deno.Signal | null;
  timedOut: boolean;
  /** The log's size when the run started: what came before is earlier runs' output. */
  logOffset: number;
  /** The run's cgroup, when it had one: the supervisor kills and removes it after. */
  cgroup?: string;
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

function spawnWorker(
  ctx: Ctx,
  spec: TaskSpec,
  launch: LaunchSpec,
  cgroup?: string,
): { child: Deno.ChildProcess; sandbox: Sandbox } {
  const paths = taskPaths(ctx.home, spec.id);
  const env = workerEnv(ctx, spec, launch);
  const { argv, sandbox } = sandboxedArgv(ctx.home, spec, launch, env);
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      WRAPPER,
      "dispatch-wrapper",
      launch.stdin === "prompt" ? (launch.stdinFile ?? paths.prompt) : "/dev/null",
      paths.log,
      paths.exit,
      joinFile(cgroup),
      ...argv,
    ],
    cwd: spec.cwd,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  return { child, sandbox };
}

/** Records the new run as `running` (unless the task ended meanwhile). */
function markRunning(
  ctx: Ctx,
  id: string,
  pid: number,
  started: number,
  containment: Containment,
  sandbox: Sandbox,
) {
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
      containment,
      sandbox,
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
  const logOffset = await prepareAppend(paths.log); // 0600, and a link planted there is discarded
  // The folders `ask` writes exist before the worker does, so the question watch below sees every file.
  await Promise.all([ensureDir(paths.questions), ensureDir(paths.answers), ensureDir(paths.receipts)]);
  const questions = await questionJournal(ctx, spec);
  // Watch and read the plan before the worker starts: a worker that ticks at once must still be seen to.
  // A plan change (an item ticked) wakes the loop at once, so progress is reported without waiting a tick.
  // The worker may plant a FIFO there, which would wedge the watcher (see WatchDirOptions.untrusted).
  await using wake = ctx.watchDir(paths.work, {
    match: (p) => p === paths.plan,
    pollMs: limits.tickMs,
    untrusted: true,
  });
  // A question file wakes it too: the supervisor, not the worker, journals it (see question_journal.ts).
  await using asked = ctx.watchDir(paths.questions, { pollMs: limits.tickMs, untrusted: true });
  let lastDone = progressOf(readPlanSync(paths.plan) ?? "").done;
  const cgroup = prepareCgroup(id, ctx.home, ctx.env);
  const { child, sandbox } = spawnWorker(ctx, spec, launch, cgroup);
  const started = ctx.now();
  const startedMono = ctx.monotonic(); // durations on the monotonic clock: a clock step must not fire the timeout
  const pid = child.pid;
  crashPoint("supervisor:spawned");
  await markRunning(ctx, id, pid, started, await confirmCgroup(cgroup, pid), sandbox);
  // Cancelled before we got here: stop at once.
  if (TERMINAL.has((readState(ctx.home, id)).state)) {
    await killTree({ pid, task: id, cgroup, home: ctx.home }, 1000);
  }

  const exit = new AbortController();
  const status = child.status.finally(() => exit.abort());
  let timedOut = false;
  let lastActivity = startedMono;
  let lastSeen = 0;
  while (!exit.signal.aborted) {
    await waitEither(wake, asked, limits.tickMs, exit.signal);
    await questions.sweep();
    if (exit.signal.aborted) break;
    const now = ctx.monotonic();
    if (limits.timeoutMs !== undefined && now - startedMono > limits.timeoutMs && !timedOut) {
      timedOut = true;
      await killTree({ pid, task: id, cgroup, home: ctx.home });
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
  await questions.sweep(); // asked just before it exited
  return { pid, code: result.code, signal: result.signal, timedOut, logOffset, cgroup };
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
