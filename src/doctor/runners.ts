/**
 * `dispatch doctor`'s checks of each runner in `runners:` (a Slurm cluster):
 * the scheduler answers (`scontrol ping`), a tiny job can write a file in
 * DISPATCH_HOME that this machine then sees (the shared home a worker on a
 * node needs), and the node has dispatch and the worker CLIs
 * (`srun … command -v`). The job-based checks are bounded in time and
 * cancel what they submitted.
 * @module
 */
import type { Ctx } from "../context.ts";
import type { Config, RunnerConfig } from "../config/schema.ts";
import { adapterType } from "../backends/registry.ts";
import { CLI_PROFILES } from "../backends/profiles.ts";
import { commandExecutable } from "../backends/command/executable.ts";
import { cancelJob, clientEnv, jobInfo, slurmClient } from "../proc/slurm.ts";
import { type BackendReport, backendReport, type CheckResult } from "./report.ts";

/** Limits (tests shorten them). */
export interface RunnerDoctorOptions {
  /** How long the test job may take to run and write its file (default 60 s). */
  jobTimeoutMs?: number;
  /** How often to look for its file. */
  pollMs?: number;
}

const FIX_SCHEDULER =
  "start slurmctld, or point SLURM_CONF at the cluster's slurm.conf (check with 'scontrol ping')";

/** The executables workers of this runner need on the node: each backend's CLI, and dispatch itself. */
export function nodeExecutables(ctx: Ctx, config: Config, runner: string): string[] {
  const named = new Set<string>();
  for (const [n, b] of Object.entries(config.backends)) if (b.runner === runner) named.add(n);
  for (const m of Object.values(config.models)) if (m.runner === runner) named.add(m.backend);
  for (const a of Object.values(config.aliases)) {
    const m = config.models[a.model];
    if (a.runner === runner && m) named.add(m.backend);
  }
  // Named by none: any backend may be sent there with --runner.
  const backends = named.size ? [...named] : Object.keys(config.backends);
  const bins = backends.flatMap((name) => {
    const b = config.backends[name] ?? {};
    const type = adapterType(name, b);
    if (type === "scripted") return [];
    if (type === "command") return [commandExecutable(b.command ?? "")].filter((x): x is string => !!x);
    return [b.bin ?? CLI_PROFILES.find((p) => p.name === type)?.bins[0] ?? type];
  });
  return [...new Set([ctx.bin, ...bins])];
}

function first(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

async function schedulerCheck(env: Record<string, string>): Promise<CheckResult> {
  // The clients retry a missing slurm.conf for 60 s before they give up: say so at once.
  const conf = env.SLURM_CONF;
  if (conf !== undefined && !(await Deno.stat(conf).then((s) => s.isFile, () => false))) {
    return {
      check: "scheduler",
      ok: false,
      detail: `SLURM_CONF names no file: ${conf}`,
      fix: "point SLURM_CONF at the cluster's slurm.conf, or unset it to use /etc/slurm/slurm.conf",
    };
  }
  try {
    const out = await slurmClient(env, "scontrol", ["ping"], 15_000);
    const line = first(out.stdout || out.stderr);
    if (out.code === 0 && /\bUP\b/.test(line)) return { check: "scheduler", ok: true, detail: line };
    return {
      check: "scheduler",
      ok: false,
      detail: `scontrol ping: ${line || `exit ${out.code}`}`,
      fix: FIX_SCHEDULER,
    };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const fix = /not installed/.test(why)
      ? "install the Slurm clients on this machine (Debian: apt-get install slurm-client), or put them on PATH"
      : FIX_SCHEDULER;
    return { check: "scheduler", ok: false, detail: why, fix };
  }
}

async function sharedHomeCheck(
  ctx: Ctx,
  env: Record<string, string>,
  runner: RunnerConfig,
  opts: RunnerDoctorOptions,
): Promise<CheckResult> {
  const marker = `${ctx.home}/.doctor-${crypto.randomUUID()}`;
  const limit = opts.jobTimeoutMs ?? 60_000;
  const fix = "put DISPATCH_HOME on a filesystem the nodes mount at the same path (the shared home)";
  let job: string | undefined;
  try {
    const out = await slurmClient({ ...ctx.env, ...env }, "sbatch", [
      "--parsable",
      "--job-name=dispatch-doctor",
      "--time=1",
      "--output=/dev/null",
      ...(runner.args ?? []),
      `--wrap=echo "$SLURM_JOB_ID" >'${marker}'`,
    ]);
    job = out.stdout.trim().split(";")[0];
    if (out.code !== 0 || !job) {
      return {
        check: "shared home",
        ok: false,
        detail: `sbatch refused a test job: ${first(out.stderr || out.stdout)}`,
        fix: "correct runners.<name>.args (partition, account, time) to flags sbatch accepts",
      };
    }
    const until = ctx.monotonic() + limit;
    while (ctx.monotonic() < until) {
      const seen = await Deno.readTextFile(marker).catch(() => undefined);
      if (seen?.trim() === job) {
        return { check: "shared home", ok: true, detail: `job ${job} wrote to ${ctx.home}` };
      }
      const info = await jobInfo(env, job).catch(() => undefined);
      if (info && !["PENDING", "CONFIGURING", "RUNNING", "COMPLETING"].includes(info.state)) {
        await ctx.sleep(opts.pollMs ?? 250); // a last look: the file may trail the job's end
        if ((await Deno.readTextFile(marker).catch(() => ""))?.trim() === job) continue;
        return {
          check: "shared home",
          ok: false,
          detail: `test job ${job} ended ${info.state} and its file in ${ctx.home} is not visible here`,
          fix,
        };
      }
      await ctx.sleep(opts.pollMs ?? 250);
    }
    const info = await jobInfo(env, job).catch(() => undefined);
    const where = info ? ` (job ${job} ${info.state}${info.reason ? `: ${info.reason}` : ""})` : "";
    return {
      check: "shared home",
      ok: false,
      detail: `a test job did not write to ${ctx.home} within ${limit / 1000} s${where}`,
      fix: info?.state === "PENDING"
        ? "the queue is busy: retry, or give the runner a partition with free nodes"
        : fix,
    };
  } catch (e) {
    return {
      check: "shared home",
      ok: false,
      detail: e instanceof Error ? e.message : String(e),
      fix: FIX_SCHEDULER,
    };
  } finally {
    if (job) await cancelJob(env, job).catch(() => {});
    await Deno.remove(marker).catch(() => {});
  }
}

async function nodeCheck(
  ctx: Ctx,
  env: Record<string, string>,
  runner: RunnerConfig,
  bins: string[],
  opts: RunnerDoctorOptions,
): Promise<CheckResult> {
  const limit = opts.jobTimeoutMs ?? 60_000;
  // One line per executable: its path on the node, or "-" when missing.
  const script = 'for b in "$@"; do command -v "$b" || echo "- $b"; done';
  try {
    const out = await slurmClient({ ...ctx.env, ...env }, "srun", [
      "--job-name=dispatch-doctor",
      "--time=1",
      "-N1",
      "-n1",
      ...(runner.args ?? []),
      "sh",
      "-c",
      script,
      "sh",
      ...bins,
    ], limit);
    if (out.code !== 0) {
      return {
        check: "on the node",
        ok: false,
        detail: `srun: ${first(out.stderr || out.stdout)}`,
        fix: FIX_SCHEDULER,
      };
    }
    const missing = out.stdout.split("\n").filter((l) => l.startsWith("- ")).map((l) => l.slice(2));
    if (missing.length === 0) return { check: "on the node", ok: true, detail: `found ${bins.join(", ")}` };
    return {
      check: "on the node",
      ok: false,
      detail: `not found on the node: ${missing.join(", ")}`,
      fix: "install them on the nodes at the same paths (or on a shared filesystem on their PATH)",
    };
  } catch (e) {
    return {
      check: "on the node",
      ok: false,
      detail: e instanceof Error ? e.message : String(e),
      fix: FIX_SCHEDULER,
    };
  }
}

/** Checks every runner in `runners:`; none when there are none. */
export function checkRunners(
  ctx: Ctx,
  config: Config,
  opts: RunnerDoctorOptions = {},
): Promise<BackendReport[]> {
  return Promise.all(
    Object.entries(config.runners ?? {}).map(async ([name, runner]) => {
      const env = clientEnv(ctx.env);
      const report = (checks: CheckResult[]) => backendReport(`runner ${name}`, runner.type, checks);
      const scheduler = await schedulerCheck(env);
      if (!scheduler.ok) {
        const skipped = (check: CheckResult["check"]) => ({
          check,
          ok: false,
          detail: "skipped: no scheduler",
          skipped: true,
        });
        return report([scheduler, skipped("shared home"), skipped("on the node")]);
      }
      const bins = nodeExecutables(ctx, config, name);
      const [home, node] = await Promise.all([
        sharedHomeCheck(ctx, env, runner, opts),
        nodeCheck(ctx, env, runner, bins, opts),
      ]);
      return report([scheduler, home, node]);
    }),
  );
}
