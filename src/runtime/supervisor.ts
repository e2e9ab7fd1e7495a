/**
 * The detached process that runs one worker: it starts the worker CLI in its
 * own process group behind a tiny shell wrapper, then watches it for
 * progress, stalls and its deadline, and records how it ended.
 *
 * The wrapper writes the worker's exit code to `exit_code` itself, so the
 * code survives even if this supervisor is killed; a later reconcile reads it.
 * @module
 */
import type { Ctx } from "../context.ts";
import { loadConfig } from "../config/load.ts";
import { adapterFor } from "../backends/registry.ts";
import { launchInput } from "../backends/launch_input.ts";
import type { LaunchSpec } from "../backends/types.ts";
import { progressOf } from "../plan/checklist.ts";
import { readTextOrUndefined } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import { readSpec, readState, type TaskSpec, TERMINAL, updateState } from "../store/tasks.ts";
import { openQuestions } from "../ipc/questions.ts";
import { parseDuration } from "../duration.ts";
import { emit } from "./events.ts";
import { finalizeTask } from "./finalize.ts";
import { killTree } from "./kill_tree.ts";
import { startTimeOf } from "./procfs.ts";

/** Environment variables that make a nested `claude -p` refuse to start or misbehave. */
export const NESTING_GUARDS = ["CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SSE_PORT"];

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

/** Options for {@linkcode supervise}: how often to look, for tests. */
export interface SuperviseOptions {
  tickMs?: number;
  /** A launch to run instead of the adapter's fresh launch (resume). */
  launch?: LaunchSpec;
}

/** Runs task `id`'s worker to the end. */
export async function supervise(ctx: Ctx, id: string, opts: SuperviseOptions = {}): Promise<void> {
  const paths = taskPaths(ctx.home, id);
  const spec = await readSpec(ctx.home, id);
  let launch: LaunchSpec;
  let config;
  try {
    config = await loadConfig(ctx.home);
    const adapter = adapterFor(config, spec.backend);
    const prompt = await Deno.readTextFile(paths.prompt);
    launch = opts.launch ?? adapter.launch(launchInput(ctx, config, spec, prompt, paths.prompt));
    // Files the CLI's flags refer to (e.g. gemini's policy file).
    for (const [path, text] of Object.entries(launch.files ?? {})) {
      await Deno.writeTextFile(path, text, { mode: 0o600 });
    }
  } catch (e) {
    await finalizeTask(ctx.home, id, {
      code: null,
      failed: true,
      reason: `Could not launch the worker: ${e}`,
    });
    return;
  }
  const adapter = adapterFor(config, spec.backend);
  const stallMs = spec.stallMs ??
    (config.limits?.stall !== undefined
      ? parseDuration(String(config.limits.stall), "limits.stall")
      : DEFAULT_STALL_MS);
  const timeoutMs = spec.timeoutMs ??
    (config.limits?.timeout !== undefined
      ? parseDuration(String(config.limits.timeout), "limits.timeout")
      : undefined);
  const tickMs = opts.tickMs ?? Number(ctx.env.DISPATCH_TICK_MS ?? 1000);

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
  await updateState(ctx.home, id, (s) =>
    TERMINAL.has(s.state) ? undefined : {
      ...s,
      state: "running",
      pid,
      pidStart: startTimeOf(pid),
      supervisor: Deno.pid,
      supervisorStart: startTimeOf(Deno.pid),
      started: s.started ?? started,
      runs: (s.runs ?? 0) + 1,
    });
  // Cancelled before we got here: stop at once.
  if (TERMINAL.has((await readState(ctx.home, id)).state)) await killTree({ pid, task: id }, 1000);

  let exited = false;
  const status = child.status.finally(() => exited = true);
  let timedOut = false;
  let lastDone = progressOf((await readTextOrUndefined(paths.plan)) ?? "").done;
  let lastActivity = started;
  let lastSeen = 0;
  while (!exited) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([status, new Promise((r) => timer = setTimeout(r, tickMs))]);
    clearTimeout(timer);
    if (exited) break;
    const now = ctx.now();
    if (timeoutMs !== undefined && now - started > timeoutMs && !timedOut) {
      timedOut = true;
      await killTree({ pid, task: id });
      continue;
    }
    const plan = (await readTextOrUndefined(paths.plan)) ?? "";
    const progress = progressOf(plan);
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
    const waiting = (await openQuestions(ctx.home, id)).length > 0;
    if (waiting) lastActivity = now;
    const state = (await readState(ctx.home, id)).state;
    if (state === "running" && now - lastActivity > stallMs) {
      await updateState(ctx.home, id, (s) => s.state === "running" ? { ...s, state: "stalled" } : undefined);
      const minutes = Math.round((now - lastActivity) / 60_000);
      await emit(ctx.home, spec, {
        type: "stalled",
        text: `No output or plan change for ${
          minutes >= 1 ? `${minutes}m` : `${Math.round((now - lastActivity) / 1000)}s`
        }`,
      }, now);
    } else if (state === "stalled" && now - lastActivity <= stallMs) {
      await updateState(ctx.home, id, (s) => s.state === "stalled" ? { ...s, state: "running" } : undefined);
    }
  }
  const result = await status;
  const { earlier, log } = await readLogSplit(paths.log, logOffset);
  // Earlier runs' output lets adapters turn session totals (codex, qwen) into this run's figures.
  const report = adapter.report?.(log, { earlierLog: earlier, code: result.code }) ?? {};
  await finalizeTask(ctx.home, id, {
    code: result.code,
    signal: result.signal,
    ...(timedOut
      ? { failed: true, reason: `Timed out after ${Math.round(timeoutMs! / 1000)}s; worker tree killed` }
      : {}),
    nativeSession: report.nativeSession,
    usage: report.usage,
    failure: report.failure,
    resumable: adapter.resume !== undefined,
  }, ctx.now());
}

async function readLogSplit(path: string, offset: number): Promise<{ earlier: string; log: string }> {
  const bytes = await Deno.readFile(path).catch(() => new Uint8Array());
  const decoder = new TextDecoder();
  return { earlier: decoder.decode(bytes.subarray(0, offset)), log: decoder.decode(bytes.subarray(offset)) };
}
