/**
 * The Slurm client calls dispatch makes: submit a batch job, read a job's
 * state, reason and exit code, cancel it, and ping the controller. Each is
 * one run of Slurm's own CLI (`sbatch`, `scontrol`, `scancel`, `sacct`,
 * `sinfo`) with the caller's environment, so `SLURM_CONF` and `PATH` choose
 * the cluster, and each has a time limit: a controller that does not answer
 * is an error, not a hang.
 * @module
 */

/** The environment variables the clients read (kept so every reader asks the same cluster). */
export function clientEnv(env: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k === "PATH" || k === "HOME" || k.startsWith("SLURM_") || k === "MUNGE_SOCKET") kept[k] = v;
  }
  return kept;
}

/** What a client call may take before it is given up. */
export const CLIENT_TIMEOUT_MS = 20_000;

/** Job states in which the job still holds (or waits for) its processes. */
export const ACTIVE_STATES: ReadonlySet<string> = new Set([
  "PENDING",
  "CONFIGURING",
  "RUNNING",
  "COMPLETING",
  "SUSPENDED",
  "STOPPED",
  "SIGNALING",
  "REQUEUED",
  "REQUEUE_HOLD",
  "REQUEUE_FED",
  "RESIZING",
  "STAGE_OUT",
]);

/** A job as the controller reports it. */
export interface JobInfo {
  /** `JobState`, e.g. PENDING, RUNNING, COMPLETED, CANCELLED, FAILED. */
  state: string;
  /** The scheduler's `Reason` (why it is pending), when it gives one. */
  reason?: string;
  /** The exit code of the batch script, from `ExitCode=code:signal`. */
  exitCode?: number;
  /** The signal that ended it, from `ExitCode=code:signal` (0: none). */
  signal?: number;
}

/** What one client run printed. */
export interface ClientOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a Slurm client; a missing executable or a timeout is an Error naming it. */
export async function slurmClient(
  env: Record<string, string>,
  cmd: string,
  args: string[],
  timeoutMs = CLIENT_TIMEOUT_MS,
): Promise<ClientOutput> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, {
      args,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`${cmd} is not installed or not on PATH`);
    throw new Error(`${cmd} did not answer in ${timeoutMs / 1000} s (${e instanceof Error ? e.message : e})`);
  }
  if (out.signal === "SIGTERM" || out.signal === "SIGKILL") {
    throw new Error(`${cmd} did not answer in ${timeoutMs / 1000} s`);
  }
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** The first line of a client's complaint. */
function complaint(out: ClientOutput): string {
  return (out.stderr.trim() || out.stdout.trim()).split("\n")[0] || `exit ${out.code}`;
}

/** What to submit. */
export interface Submission {
  /** The batch script (its path; it must be readable from the node). */
  script: string;
  /** The job's name. */
  name: string;
  /** The job's working directory. */
  cwd: string;
  /** Where the job's own stdout and stderr go (appended). */
  output: string;
  /** The runner's sbatch flags (partition, time, memory...). */
  args: string[];
}

/**
 * Submits a batch job with `sbatch --parsable`, which exports the given
 * environment to the job; resolves with the job id.
 */
export async function submitJob(env: Record<string, string>, job: Submission): Promise<string> {
  const out = await slurmClient(env, "sbatch", [
    "--parsable",
    `--job-name=${job.name}`,
    `--chdir=${job.cwd}`,
    `--output=${job.output}`,
    "--open-mode=append",
    ...job.args,
    job.script,
  ]);
  // `--parsable` prints "id" or "id;cluster".
  const id = out.stdout.trim().split(";")[0] ?? "";
  if (out.code !== 0 || !/^\d+(_\d+)?$/.test(id)) {
    throw new Error(`sbatch refused the job: ${complaint(out)}`);
  }
  return id;
}

/** Parses one `scontrol show job -o` line. */
export function parseJobLine(line: string): JobInfo | undefined {
  const field = (key: string) => new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(line)?.[1];
  const state = field("JobState");
  if (!state) return undefined;
  const exit = /^(\d+):(\d+)$/.exec(field("ExitCode") ?? "");
  const reason = field("Reason");
  return {
    state,
    ...(reason && reason !== "None" ? { reason } : {}),
    ...(exit ? { exitCode: Number(exit[1]), signal: Number(exit[2]) } : {}),
  };
}

/**
 * The job's state from the controller (`scontrol show job -o`), or
 * undefined when the controller no longer knows it (it ended longer ago
 * than its MinJobAge, or never existed). Throws when the controller cannot
 * be asked: unknown is not dead.
 */
export async function jobInfo(env: Record<string, string>, id: string): Promise<JobInfo | undefined> {
  const out = await slurmClient(env, "scontrol", ["show", "job", "-o", id]);
  if (out.code !== 0) {
    if (/invalid job id/i.test(out.stderr + out.stdout)) return undefined;
    throw new Error(`scontrol could not read job ${id}: ${complaint(out)}`);
  }
  return parseJobLine(out.stdout.trim().split("\n")[0] ?? "");
}

/**
 * The exit code accounting kept (`sacct`), for a job the controller has
 * forgotten; undefined when there is no accounting (sacct fails) or no row.
 */
export async function accountedExit(
  env: Record<string, string>,
  id: string,
): Promise<{ exitCode: number; signal: number } | undefined> {
  const out = await slurmClient(env, "sacct", ["-n", "-X", "-P", "-j", id, "-o", "ExitCode"]).catch(() =>
    undefined
  );
  const m = out && out.code === 0 ? /^(\d+):(\d+)$/m.exec(out.stdout.trim()) : null;
  return m ? { exitCode: Number(m[1]), signal: Number(m[2]) } : undefined;
}

/** Cancels the job (`scancel`): SIGTERM to its processes, SIGKILL after the cluster's KillWait. */
export async function cancelJob(env: Record<string, string>, id: string): Promise<void> {
  const out = await slurmClient(env, "scancel", [id]);
  if (out.code !== 0 && !/invalid job id|already completing or completed/i.test(out.stderr)) {
    throw new Error(`scancel could not cancel job ${id}: ${complaint(out)}`);
  }
}

/** True while the job holds or waits for its processes (see {@linkcode ACTIVE_STATES}). */
export function isActive(info: JobInfo | undefined): boolean {
  return info !== undefined && ACTIVE_STATES.has(info.state);
}
