/**
 * The Slurm runner: the worker's wrapper runs as the batch script of a job
 * (`sbatch`, named `dispatch-<task>`), on whichever node the scheduler
 * picks. The wrapper still writes `exit_code` into the task folder, which
 * must be on a filesystem the node shares; the job's own final state
 * (`scontrol`, then `sacct`) is the fallback when no code was written.
 * Liveness comes from the scheduler, never from local pids: a pending job
 * is `queued` with the scheduler's reason, and a job it no longer lists is
 * over. Stopping is `scancel`.
 * @module
 */
import type { Clock } from "../context.ts";
import { StateError } from "../errors.ts";
import { readTextOrUndefined, writeAtomic } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import type { RunnerSpec, TaskSpec, TaskState } from "../store/tasks.ts";
import { killTree } from "../proc/kill_tree.ts";
import { accountedExit, cancelJob, isActive, type JobInfo, jobInfo, submitJob } from "../proc/slurm.ts";
import type { RunnerEvents, StartedWorker, WorkerCommand, WorkerExit } from "./runner.ts";

/** A word in single quotes for sh. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The batch script: it reports its pid and /proc start time (which `exec`
 * keeps) to `report`, then becomes the wrapper command, verbatim (sbatch
 * exports the environment it was given). The supervisor records the pair
 * as the worker's, which is how `dispatch ask` on the node knows its caller
 * (ipc/caller.ts): by that node's /proc, where the supervisor cannot look.
 */
export function batchScript(argv: string[], report: string): string {
  const r = shellQuote(report);
  const t = shellQuote(`${report}.tmp`);
  return [
    "#!/bin/sh",
    `read -r s </proc/$$/stat && s=\${s##*) } && set -- $s && shift 19 && (umask 077 && printf '%s %s\\n' $$ "$1" >${t}) && mv -f ${t} ${r}`,
    `exec ${argv.map(shellQuote).join(" ")}`,
    "",
  ].join("\n");
}

/** The pid and start time the batch script reported, once it has. */
async function reportedWrapper(report: string): Promise<{ pid: number; start: string } | undefined> {
  const m = /^(\d+) (\d+)\n$/.exec(await readTextOrUndefined(report) ?? "");
  return m ? { pid: Number(m[1]), start: m[2]! } : undefined;
}

/** The job's name in `squeue`: the task's id, so an operator can tell whose it is. */
export function jobName(id: string): string {
  return `dispatch-${id}`;
}

/** The exit code the wrapper left, if any. */
async function wrapperCode(home: string, id: string): Promise<number | undefined> {
  const text = await readTextOrUndefined(taskPaths(home, id).exit);
  return text !== undefined && /^\d+\s*$/.test(text) ? Number(text) : undefined;
}

const SIGNAL_NAMES: Record<number, Deno.Signal> = { 1: "SIGHUP", 2: "SIGINT", 9: "SIGKILL", 15: "SIGTERM" };

/**
 * How a job that is no longer active ended: the wrapper's code first, then
 * the controller's `ExitCode`, then accounting's; null (with why) when none.
 */
export async function endedJob(
  home: string,
  spec: TaskSpec,
  jobId: string,
  info: JobInfo | undefined,
): Promise<WorkerExit> {
  const code = await wrapperCode(home, spec.id);
  if (code !== undefined) return { code, signal: null };
  const env = spec.runner?.env ?? {};
  const exit = info?.exitCode !== undefined
    ? { exitCode: info.exitCode, signal: info.signal ?? 0 }
    : await accountedExit(env, jobId);
  const state = info ? `ended ${info.state}` : "is gone from the scheduler";
  if (exit && exit.signal > 0) {
    const signal = SIGNAL_NAMES[exit.signal] ?? null;
    return {
      code: 128 + exit.signal,
      signal,
      reason: `Slurm job ${jobId} ${state}: killed by signal ${exit.signal}, no exit code recorded`,
    };
  }
  if (exit && exit.exitCode !== 0) return { code: exit.exitCode, signal: null };
  return {
    code: null,
    signal: null,
    reason:
      `Slurm job ${jobId} ${state} and the worker recorded no exit code (cancelled in the queue, or killed)`,
  };
}

/** Submits the job and watches it through the scheduler until it ends. */
export async function startSlurm(
  clock: Pick<Clock, "sleep" | "monotonic">,
  home: string,
  spec: TaskSpec,
  runner: RunnerSpec,
  cmd: WorkerCommand,
  events: RunnerEvents,
): Promise<StartedWorker> {
  const paths = taskPaths(home, spec.id);
  const script = `${paths.dir}/job.sh`;
  const report = `${paths.dir}/job_wrapper`;
  await Deno.remove(report).catch(() => {});
  await writeAtomic(script, batchScript(cmd.argv, report));
  await Deno.chmod(script, 0o700);
  // sbatch exports its own environment to the job: the worker's, plus what the clients need.
  const jobId = await submitJob({ ...cmd.env, ...runner.env, PATH: cmd.env.PATH ?? runner.env.PATH ?? "" }, {
    script,
    name: jobName(spec.id),
    cwd: cmd.cwd,
    output: paths.log,
    args: runner.args,
  });
  let markRunning = () => {};
  const running = new Promise<void>((resolve) => markRunning = resolve);
  // The wrapper's exit_code is a cheap file check each poll; the controller is asked less often.
  const askEveryMs = Math.max(1000, runner.pollMs * 2);
  const watch = async (): Promise<WorkerExit> => {
    let asked = -Infinity;
    let pendingReason: string | undefined;
    let reported = false;
    for (;;) {
      const code = await wrapperCode(home, spec.id);
      if (code !== undefined) return { code, signal: null };
      const wrapper = reported ? undefined : await reportedWrapper(report);
      if (wrapper) {
        reported = true;
        markRunning();
        await events.wrapper(wrapper.pid, wrapper.start);
      }
      if (clock.monotonic() - asked >= askEveryMs) {
        asked = clock.monotonic();
        let info: JobInfo | undefined;
        try {
          info = await jobInfo(runner.env, jobId);
        } catch {
          await clock.sleep(runner.pollMs); // the controller did not answer: unknown is not dead
          continue;
        }
        if (!isActive(info)) return endedJob(home, spec, jobId, info);
        if (info!.state === "PENDING") {
          const reason = info!.reason ?? "None";
          if (reason !== pendingReason) await events.pending(jobId, pendingReason = reason);
        } else markRunning();
      }
      await clock.sleep(runner.pollMs);
    }
  };
  const status = watch().finally(markRunning);
  const stop = async (graceMs?: number) => {
    // A controller that does not answer now: the job's end is still watched, and cleanup cancels again.
    await cancelJob(runner.env, jobId).catch(() => {});
    // On a one-node cluster (or a node that is this machine) its processes are ours to stop too.
    await killTree({ task: spec.id, home }, graceMs);
  };
  return { jobId, running, status, stop, cleanup: () => stopIfActive(clock, spec, jobId) };
}

/** How long a job whose wrapper has exited gets to end by itself before it is cancelled. */
const END_GRACE_MS = 5000;

/**
 * After the wrapper exited: the job ends by itself a moment later (Slurm
 * stops what its batch script left); cancel it only if it is still active
 * after a grace, so a finished worker's job is recorded COMPLETED, not CANCELLED.
 */
async function stopIfActive(clock: Pick<Clock, "sleep" | "monotonic">, spec: TaskSpec, jobId: string) {
  const env = spec.runner?.env ?? {};
  const until = clock.monotonic() + END_GRACE_MS;
  while (clock.monotonic() < until) {
    if (!isActive(await jobInfo(env, jobId).catch(() => undefined))) return;
    await clock.sleep(100);
  }
  await cancelJob(env, jobId).catch(() => {});
}

/** The scheduler would not cancel a task's job. */
export class JobCancelError extends StateError {}

/** Cancels the task's job, when it runs on a scheduler; a JobCancelError with the scheduler's word when it cannot. */
export async function cancelTaskJob(spec: TaskSpec, state: TaskState): Promise<void> {
  if (!spec.runner || !state.job) return;
  try {
    await cancelJob(spec.runner.env, state.job.id);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new JobCancelError(
      `Could not cancel task ${spec.id}: ${why} (is the Slurm controller reachable? 'dispatch doctor' checks)`,
    );
  }
}

/**
 * The scheduler's view of a task's job: `alive` while it is pending or
 * running, `ended` with how when it is not (or is forgotten), `unknown`
 * when the controller cannot be asked. Reconcile trusts this, not pids.
 */
export async function jobLiveness(
  home: string,
  spec: TaskSpec,
  jobId: string,
): Promise<{ kind: "alive" } | { kind: "unknown" } | { kind: "ended"; exit: WorkerExit }> {
  let info: JobInfo | undefined;
  try {
    info = await jobInfo(spec.runner?.env ?? {}, jobId);
  } catch {
    return { kind: "unknown" };
  }
  if (isActive(info)) return { kind: "alive" };
  return { kind: "ended", exit: await endedJob(home, spec, jobId, info) };
}
