/**
 * The detached process that runs one worker: it waits for a slot under the
 * concurrency cap, starts the worker CLI in its own process group behind a
 * tiny shell wrapper, watches it for progress, stalls and its deadline,
 * retries it with backoff when the provider rate-limits it, stops whatever
 * it left running, and records how it ended.
 *
 * The wrapper writes the worker's exit code to `exit_code` itself, so the
 * code survives even if this supervisor is killed; a later reconcile reads it.
 * @module
 */
import type { Ctx } from "../context.ts";
import type { Config } from "../config/schema.ts";
import { loadConfig } from "../backends/config_file.ts";
import { adapterFor } from "../backends/registry.ts";
import { launchInput } from "../backends/launch_input.ts";
import type { BackendAdapter, LaunchSpec } from "../backends/types.ts";
import { progressOf } from "../plan/checklist.ts";
import { readTextOrUndefined } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import { readSpec, readState, type TaskSpec, TERMINAL, updateState } from "../store/tasks.ts";
import { openQuestions } from "../ipc/questions.ts";
import { formatDuration, parseDuration } from "../duration.ts";
import { emit } from "./events.ts";
import { addUsage, finalizeTask } from "./finalize.ts";
import { killTree } from "../proc/kill_tree.ts";
import { startTimeOf } from "../proc/procfs.ts";
import { waitForSlot } from "./queue.ts";
import { backoffMs, shouldRetry } from "./retry.ts";
import { resumeMessage } from "./resume.ts";

/** Default stall window: no output and no plan change for this long. */
export const DEFAULT_STALL_MS = 10 * 60_000;

const WRAPPER = [
  'exec <"$1" >>"$2" 2>&1',
  "exit_file=$3; shift 3",
  '"$@"',
  "c=$?",
  'printf "%s\\n" "$c" >"$exit_file.tmp" && mv -f "$exit_file.tmp" "$exit_file"',
  'exit "$c"',
].join("\n");

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

async function mtimeMs(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

/** Options for {@linkcode supervise}. */
export interface SuperviseOptions {
  /** How often to look at the worker (tests shorten it). */
  tickMs?: number;
  /** A launch to run instead of the adapter's fresh launch (resume). */
  launch?: LaunchSpec;
}

interface Limits {
  stallMs: number;
  timeoutMs?: number;
  tickMs: number;
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
    await Deno.writeTextFile(path, text, { mode: 0o600 });
  }
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
    const prompt = await Deno.readTextFile(paths.prompt);
    launch = opts.launch ?? adapter.launch(launchInput(ctx, config, spec, prompt, paths.prompt));
    await writeLaunchFiles(launch);
  } catch (e) {
    await finalizeTask(ctx.home, id, {
      code: null,
      failed: true,
      reason: `Could not launch the worker: ${e}`,
    });
    return;
  }
  const limits = limitsOf(ctx, spec, config, opts);
  if (!await waitForSlot(ctx.home, spec, config)) return; // cancelled while queued

  const backoffBase = Number(ctx.env.DISPATCH_BACKOFF_MS ?? 30_000);
  for (let attempt = 1;; attempt++) {
    const run = await runWorker(ctx, spec, launch, limits);
    // Whatever the worker left behind (tool shells in their own sessions, a pending ask) goes with it.
    await killTree({ pid: run.pid, task: id }, 500);
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
      if (!await sleepUnlessEnded(ctx.home, id, delay)) return;
      const session = report.nativeSession ?? (readState(ctx.home, id)).nativeSession;
      const message = resumeMessage(paths.plan);
      const input = launchInput(ctx, config, spec, await Deno.readTextFile(paths.prompt), paths.prompt);
      launch = session && adapter.resume ? adapter.resume(input, session, message) : adapter.launch(input);
      await writeLaunchFiles(launch);
      continue;
    }
    await finalizeTask(ctx.home, id, {
      code: run.code,
      signal: run.signal,
      ...(run.timedOut
        ? { failed: true, reason: `Timed out after ${formatDuration(limits.timeoutMs!)}; worker tree killed` }
        : {}),
      ...(report.rateLimited && !run.timedOut
        ? { reason: `Still rate limited after ${attempt - 1} retries` }
        : {}),
      nativeSession: report.nativeSession,
      usage: report.usage,
      failure: report.failure,
      resumable: adapter.resume !== undefined,
    }, ctx.now());
    return;
  }
}

/** Sleeps `ms`, waking early and resolving false if the task ends (cancel). */
async function sleepUnlessEnded(home: string, id: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
    if (TERMINAL.has((readState(home, id)).state)) return false;
  }
  return true;
}

interface RunResult {
  pid: number;
  code: number;
  signal: Deno.Signal | null;
  timedOut: boolean;
  logOffset: number;
}

/** Starts the worker once and watches it until it exits. */
async function runWorker(ctx: Ctx, spec: TaskSpec, launch: LaunchSpec, limits: Limits): Promise<RunResult> {
  const id = spec.id;
  const paths = taskPaths(ctx.home, id);
  await Deno.remove(paths.exit).catch(() => {});
  const logOffset = await Deno.stat(paths.log).then((s) => s.size, () => 0);
  const child = new Deno.Command("sh", {
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
  const started = ctx.now();
  const pid = child.pid;
  await updateState(ctx.home, id, (s) => {
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
  // Cancelled before we got here: stop at once.
  if (TERMINAL.has((readState(ctx.home, id)).state)) await killTree({ pid, task: id }, 1000);

  // A plan change (an item ticked) wakes the loop at once, so progress is reported without waiting a tick.
  let wake: (() => void) | undefined;
  let watcher: Deno.FsWatcher | undefined;
  let pump: Promise<void> | undefined;
  try {
    watcher = Deno.watchFs(paths.dir, { recursive: false });
    const w = watcher;
    pump = (async () => {
      for await (const e of w) if (e.paths.some((p) => p === paths.plan)) wake?.();
    })();
  } catch {
    watcher = undefined; // the tick carries it
  }

  let exited = false;
  const status = child.status.finally(() => exited = true);
  let timedOut = false;
  let lastDone = progressOf((await readTextOrUndefined(paths.plan)) ?? "").done;
  let lastActivity = started;
  let lastSeen = 0;
  try {
    while (!exited) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        status,
        new Promise<void>((r) => {
          wake = r;
          timer = setTimeout(r, limits.tickMs);
        }),
      ]);
      clearTimeout(timer);
      wake = undefined;
      if (exited) break;
      const now = ctx.now();
      if (limits.timeoutMs !== undefined && now - started > limits.timeoutMs && !timedOut) {
        timedOut = true;
        await killTree({ pid, task: id });
        continue;
      }
      const progress = progressOf((await readTextOrUndefined(paths.plan)) ?? "");
      if (progress.done !== lastDone) {
        lastDone = progress.done;
        await emit(ctx.home, spec, { type: "progress", done: progress.done, total: progress.total }, now);
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
      const state = (readState(ctx.home, id)).state;
      if (state === "running" && now - lastActivity > limits.stallMs) {
        await updateState(
          ctx.home,
          id,
          (s) => s.state === "running" ? { ...s, state: "stalled" } : undefined,
        );
        await emit(ctx.home, spec, {
          type: "stalled",
          text: `No output or plan change for ${formatDuration(now - lastActivity)}`,
        }, now);
      } else if (state === "stalled" && now - lastActivity <= limits.stallMs) {
        await updateState(
          ctx.home,
          id,
          (s) => s.state === "stalled" ? { ...s, state: "running" } : undefined,
        );
      }
    }
  } finally {
    watcher?.close();
    await pump;
  }
  const result = await status;
  return { pid, code: result.code, signal: result.signal, timedOut, logOffset };
}

async function readLogSplit(path: string, offset: number): Promise<{ earlier: string; log: string }> {
  const bytes = await Deno.readFile(path).catch(() => new Uint8Array());
  const decoder = new TextDecoder();
  return { earlier: decoder.decode(bytes.subarray(0, offset)), log: decoder.decode(bytes.subarray(offset)) };
}
