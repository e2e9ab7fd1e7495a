/**
 * Where a worker runs: a runner. `local` (the default) starts the worker's
 * wrapper on this machine; `slurm` hands the same wrapper to a batch
 * scheduler as a job. Either way the supervisor stays here and owns the
 * task: a runner only starts the worker's process, tells when it runs and
 * how it ended, and stops it.
 *
 * The runner is chosen when the task starts (`--runner`, else the alias's,
 * the model's, the backend's) and fixed in its spec, so resume and readers
 * use the same one.
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Ctx } from "../context.ts";
import type { Config } from "../config/schema.ts";
import { configDurationMs } from "../duration.ts";
import type { ResolvedModel } from "../models/resolve.ts";
import { type RunnerSpec, type TaskSpec, TERMINAL, updateState } from "../store/tasks.ts";
import { startTimeOf } from "../proc/procfs.ts";
import { confirmCgroup, type Containment } from "../proc/containment.ts";
import type { Sandbox } from "./sandbox.ts";
import { clientEnv } from "../proc/slurm.ts";
import { startLocal } from "./runner_local.ts";
import { startSlurm } from "./runner_slurm.ts";

/** The wrapper command a runner starts: `sh -c WRAPPER ...` (see worker_run.ts). */
export interface WorkerCommand {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

/** How the worker's process ended. */
export interface WorkerExit {
  /** Its exit code; null when nothing recorded one (a job that vanished, or was cancelled while pending). */
  code: number | null;
  signal: Deno.Signal | null;
  /** Why, when the runner knows more than the code says (the scheduler's final state). */
  reason?: string;
}

/** A worker that was started. */
export interface StartedWorker {
  /** Its root pid on this machine (local runner only). */
  pid?: number;
  /** The scheduler's job id (slurm). */
  jobId?: string;
  /** Resolves when the worker really runs (at once for local; when the scheduler starts the job). */
  running: Promise<void>;
  /** Resolves when it has ended. */
  status: Promise<WorkerExit>;
  /** Stops it and everything it started; `graceMs` before SIGKILL where the runner controls that. */
  stop(graceMs?: number): Promise<void>;
  /** After it ended: makes sure nothing of it is left (a job still completing). */
  cleanup(): Promise<void>;
}

/** What a runner tells its caller while the worker waits to run. */
export interface RunnerEvents {
  /** The scheduler holds the job: `reason` is its own word for why (Resources, Priority...). */
  pending(jobId: string, reason: string): Promise<void>;
  /** The job's wrapper reported its pid and /proc start time on the node (see runner_slurm.ts). */
  wrapper(pid: number, start: string): Promise<void>;
}

/** The default poll of a scheduler runner's watches. */
export const DEFAULT_RUNNER_POLL_MS = 500;

/** The name of this machine's runner, always defined. */
export const LOCAL_RUNNER = "local";

/**
 * The runner a task gets: `--runner` first, else the alias's, the model's,
 * the backend's; undefined for `local`. A name `runners:` does not define is
 * a UsageError listing the defined ones.
 */
export function chooseRunner(
  config: Config,
  resolved: Pick<ResolvedModel, "alias" | "model" | "backend">,
  flag: string | undefined,
  env: Record<string, string>,
): RunnerSpec | undefined {
  const name = flag ?? (resolved.alias ? config.aliases[resolved.alias]?.runner : undefined) ??
    config.models[resolved.model]?.runner ?? config.backends[resolved.backend]?.runner;
  if (name === undefined || name === LOCAL_RUNNER) return undefined;
  const entry = config.runners?.[name];
  if (!entry) {
    const defined = [LOCAL_RUNNER, ...Object.keys(config.runners ?? {})].join(", ");
    const where = flag !== undefined ? "--runner" : "config.yaml";
    throw new UsageError(
      `Unknown runner in ${where}: '${name}' (defined: ${defined}; add it under runners:)`,
    );
  }
  return {
    name,
    type: entry.type,
    args: entry.args ?? [],
    pollMs: entry.poll === undefined ? DEFAULT_RUNNER_POLL_MS : configDurationMs(entry.poll)!,
    env: clientEnv(env),
  };
}

/** Starts the worker's wrapper on the task's runner, which records the job's progress in the task's state. */
export function startWorker(
  ctx: Ctx,
  spec: TaskSpec,
  cmd: WorkerCommand,
  cgroup: string | undefined,
): Promise<StartedWorker> {
  const events: RunnerEvents = {
    pending: (job, why) => markQueued(ctx, spec.id, job, why),
    wrapper: (pid, pidStart) =>
      updateState(ctx.home, spec.id, (s) => TERMINAL.has(s.state) ? undefined : { ...s, pid, pidStart }).then(
        () => {},
      ),
  };
  if (spec.runner?.type === "slurm") return startSlurm(ctx, ctx.home, spec, spec.runner, cmd, events);
  return Promise.resolve(startLocal(cmd, { task: spec.id, home: ctx.home, cgroup }));
}

/** Records a scheduler's job as `queued` with the scheduler's reason (unless the task ended meanwhile). */
export async function markQueued(ctx: Ctx, id: string, jobId: string, why: string): Promise<void> {
  await updateState(ctx.home, id, (s) => {
    if (TERMINAL.has(s.state) || s.state === "running" || s.state === "stalled") return undefined;
    const reason = why === "submitted"
      ? `Slurm job ${jobId} submitted`
      : `Slurm job ${jobId} pending: ${why}`;
    return {
      ...s,
      state: "queued",
      job: { id: jobId },
      reason,
      supervisor: Deno.pid,
      supervisorStart: startTimeOf(Deno.pid),
    };
  });
}

/** Records the new run as `running` (unless the task ended meanwhile). */
function markRunning(
  ctx: Ctx,
  id: string,
  worker: StartedWorker,
  started: number,
  containment: Containment | undefined,
  sandbox: Sandbox,
) {
  return updateState(ctx.home, id, (s) => {
    if (TERMINAL.has(s.state)) return undefined;
    const pid = worker.pid;
    const next = {
      ...s,
      state: "running" as const,
      ...(pid !== undefined ? { pid, pidStart: startTimeOf(pid) } : {}),
      ...(worker.jobId !== undefined ? { job: { id: worker.jobId } } : {}),
      supervisor: Deno.pid,
      supervisorStart: startTimeOf(Deno.pid),
      started: s.started ?? started,
      runs: (s.runs ?? 0) + 1,
      ...(containment ? { containment } : {}),
      sandbox,
    };
    delete next.reason;
    return next;
  });
}

/** When the run counts from (monotonic), once it runs; and the state write that records it. */
export interface RunStart {
  since(): number | undefined;
  recorded: Promise<void>;
}

/**
 * Records the started worker: `running` at once on this machine (with the
 * containment the kernel confirms), or `queued` until the scheduler starts
 * its job, then `running`.
 */
export async function recordStart(
  ctx: Ctx,
  id: string,
  worker: StartedWorker,
  cgroup: string | undefined,
  sandbox: Sandbox,
  startedMono: number,
): Promise<RunStart> {
  if (worker.pid !== undefined) {
    await markRunning(ctx, id, worker, ctx.now(), await confirmCgroup(cgroup, worker.pid), sandbox);
    return { since: () => startedMono, recorded: Promise.resolve() };
  }
  let since: number | undefined;
  await markQueued(ctx, id, worker.jobId!, "submitted");
  const recorded = worker.running.then(() => markRunning(ctx, id, worker, ctx.now(), undefined, sandbox))
    .then(() => {}, () => {}) // a full disk: the next state write repairs it; the run goes on
    .then(() => void (since = ctx.monotonic()));
  return { since: () => since, recorded };
}
