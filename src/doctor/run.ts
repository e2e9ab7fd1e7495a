/**
 * `dispatch doctor`'s engine: for every configured backend, is its CLI
 * installed, which version, is it authenticated (asked without spending a
 * token, by the CLI's own check in its profile), and does its `--help` list
 * the flags its adapter runs it headless with. Each failure comes with the
 * exact fix. Probes run with the environment the worker would get (the
 * backend's `env` added), bounded in time, all backends at once.
 * @module
 */
import type { Ctx } from "../context.ts";
import type { BackendConfig, Config } from "../config/schema.ts";
import { adapterType } from "../backends/registry.ts";
import { CLI_PROFILES } from "../backends/profiles.ts";
import type { CliProfile } from "../backends/profile.ts";
import { CLAUDE_NESTING_ENV } from "../backends/claude/nesting_env.ts";
import { commandExecutable } from "../backends/command/executable.ts";
import { firstLine, type ProbeResult, type ProbeRunner, runProbe, stripAnsi } from "../proc/probe.ts";
import { findExecutable } from "../models/discover.ts";
import { type BackendReport, backendReport, type CheckResult } from "./report.ts";
import { headlessFlags, helpHasFlag, type HelpInvocation, longFlags } from "./headless_flags.ts";

/** Test seams and limits. */
export interface DoctorOptions {
  runner?: ProbeRunner;
  /** Per probe (default 15 s: a cold gemini --version took 2.7 s on a loaded machine). */
  timeoutMs?: number;
  /** Check only these backends (default: all). */
  only?: string[];
  /** The CLIs doctor knows (default: the registry's). */
  profiles?: readonly CliProfile[];
}

/** Every backend the config uses: its `backends:` entries, then built-ins its models name. */
export function configuredBackends(config: Config): [string, BackendConfig][] {
  const out: [string, BackendConfig][] = Object.entries(config.backends);
  for (const m of Object.values(config.models)) {
    if (!out.some(([n]) => n === m.backend)) out.push([m.backend, {}]);
  }
  return out;
}

/** What to run for one backend: its executables, its CLI's profile when known, the `--help`s to read. */
interface Target {
  bins: string[];
  profile?: CliProfile;
  help: () => Promise<HelpInvocation[]>;
  /** Flags the user added (backends.X.args, or the command string's own). */
  extraFlags: string[];
}

/** The target of a command backend, or the one check that says why it cannot be looked into. */
function commandTarget(backend: BackendConfig, profiles: readonly CliProfile[]): Target | CheckResult {
  const exe = commandExecutable(backend.command ?? "");
  if (!exe) {
    return { check: "installed", ok: true, detail: "a shell command dispatch cannot look into; not checked" };
  }
  const base = exe.split("/").pop()!;
  const words = (backend.command ?? "").split(/\s+/);
  const extraFlags = longFlags([...words, ...(backend.args ?? [])]);
  const sub = words[words.findIndex((w) => w === exe || w.endsWith(`/${base}`)) + 1];
  const args = sub && /^[a-z][\w-]*$/.test(sub) ? [sub, "--help"] : ["--help"];
  return {
    bins: [exe],
    profile: profiles.find((p) => p.bins.includes(base)),
    help: () => Promise.resolve([{ args, flags: extraFlags, commands: [] }]),
    extraFlags,
  };
}

/** The target of an adapter backend, or the failed check of an unknown type. */
function adapterTarget(
  name: string,
  type: string,
  backend: BackendConfig,
  profiles: readonly CliProfile[],
): Target | CheckResult {
  const profile = profiles.find((p) => p.name === type);
  if (!profile) {
    return {
      check: "installed",
      ok: false,
      detail: `unknown backend type '${type}'`,
      fix: `set backends.${name}.type to one of ${
        profiles.map((p) => p.name).join(", ")
      }, scripted, or give a command`,
    };
  }
  const extraFlags = longFlags(backend.args ?? []);
  const help = async () =>
    (await headlessFlags(profile)).map((h, i) => i === 0 ? { ...h, flags: [...h.flags, ...extraFlags] } : h);
  return { bins: backend.bin ? [backend.bin] : profile.bins, profile, help, extraFlags };
}

/** The environment a worker of this backend gets: outside any Claude Code session, the backend's env added. */
function probeEnv(ctx: Ctx, backend: BackendConfig): Record<string, string> {
  const env = { ...ctx.env, ...(backend.env ?? {}) };
  for (const k of CLAUDE_NESTING_ENV) delete env[k];
  return env;
}

function notInstalled(name: string, type: string, target: Target): CheckResult[] {
  const skipped = (check: CheckResult["check"]): CheckResult => ({
    check,
    ok: false,
    detail: "skipped: not installed",
    skipped: true,
  });
  const install = target.profile?.install;
  return [
    {
      check: "installed",
      ok: false,
      detail: `'${target.bins.join("' or '")}' not found on PATH`,
      fix: `${install ? `install it: ${install}; or ` : ""}set backends.${name}.${
        type === "command" ? "command to its full path" : "bin to its full path"
      }`,
    },
    ...(target.profile ? [skipped("version"), skipped("authenticated"), skipped("headless flags")] : []),
  ];
}

/** Reads each `--help` and sorts its flags and subcommands into listed and missing. */
async function readHelp(
  probe: (args: string[]) => Promise<ProbeResult>,
  bin: string,
  help: HelpInvocation[],
) {
  const missing: string[] = [];
  const checked: string[] = [];
  const failures: string[] = [];
  for (const h of help) {
    const r = await probe(h.args);
    const text = stripAnsi(r.stdout + "\n" + r.stderr);
    if (r.timedOut || (r.code !== 0 && !/--\w/.test(text))) {
      failures.push(`'${[bin, ...h.args].join(" ")}' ${r.timedOut ? "timed out" : `exited ${r.code}`}`);
      continue;
    }
    for (const f of h.flags) (helpHasFlag(text, f) ? checked : missing).push(f);
    for (const c of h.commands) {
      (new RegExp(`^\\s+${c}\\b`, "m").test(text) ? checked : missing).push(`${h.args[0]} ${c}`);
    }
  }
  return { missing, checked, failures };
}

function versionCheck(version: ProbeResult, bin: string, install: string): CheckResult {
  if (version.code === 0) {
    return {
      check: "version",
      ok: true,
      detail: firstLine(version.stdout || version.stderr) || "(no output)",
    };
  }
  const why = version.timedOut
    ? "timed out"
    : `exited ${version.code}: ${firstLine(version.stderr || version.stdout)}`;
  return {
    check: "version",
    ok: false,
    detail: `'${bin} --version' ${why}`,
    fix: `reinstall it: ${install}`,
  };
}

function helpCheck(
  help: Awaited<ReturnType<typeof readHelp>>,
  name: string,
  type: string,
  target: Target,
  install: string,
): CheckResult {
  if (help.failures.length > 0) {
    return {
      check: "headless flags",
      ok: false,
      detail: help.failures.join("; "),
      fix: `reinstall it: ${install}`,
    };
  }
  if (help.missing.length > 0) {
    const userFlag = type === "command" || target.extraFlags.some((f) => help.missing.includes(f));
    return {
      check: "headless flags",
      ok: false,
      detail: `its --help lacks ${help.missing.join(", ")}`,
      fix: userFlag
        ? `remove or correct ${help.missing.join(", ")} in backends.${name} (or upgrade: ${install})`
        : `upgrade it: ${install}`,
    };
  }
  const detail = help.checked.length ? [...new Set(help.checked)].join(" ") : "no long flags to check";
  return { check: "headless flags", ok: true, detail };
}

async function checkBackend(
  ctx: Ctx,
  config: Config,
  name: string,
  backend: BackendConfig,
  opts: DoctorOptions,
): Promise<BackendReport> {
  const type = adapterType(name, backend);
  const report = (checks: CheckResult[]) => backendReport(name, type, checks);
  if (type === "scripted") {
    return report([{
      check: "built in",
      ok: true,
      detail: "the scripted worker runs this helper; needs nothing",
    }]);
  }
  const profiles = opts.profiles ?? CLI_PROFILES;
  const target = type === "command"
    ? commandTarget(backend, profiles)
    : adapterTarget(name, type, backend, profiles);
  if ("check" in target) return report([target]);
  const env = probeEnv(ctx, backend);
  const path = await findExecutable(target.bins, env.PATH ?? "");
  if (!path) return report(notInstalled(name, type, target));
  const installed: CheckResult = { check: "installed", ok: true, detail: path };
  const { profile } = target;
  if (!profile) return report([installed]); // a command backend running something we do not know
  const runner = opts.runner ?? runProbe;
  const probe = (args: string[]) => runner([path, ...args], { env, timeoutMs: opts.timeoutMs ?? 15_000 });
  const models = Object.entries(config.models).filter(([, m]) => m.backend === name)
    .map(([k, m]) => m.model ?? k);
  const [version, auth, help] = await Promise.all([
    probe(["--version"]),
    profile.doctor.auth({ name, env, backend, models, probe }),
    target.help().then((h) => readHelp(probe, target.bins[0]!, h)),
  ]);
  return report([
    installed,
    versionCheck(version, target.bins[0]!, profile.install),
    { check: "authenticated", ...auth },
    helpCheck(help, name, type, target, profile.install),
  ]);
}

/** Checks every configured backend, all at once. */
export function runDoctor(ctx: Ctx, config: Config, opts: DoctorOptions = {}): Promise<BackendReport[]> {
  const backends = configuredBackends(config).filter(([name]) => !opts.only || opts.only.includes(name));
  return Promise.all(backends.map(([name, b]) => checkBackend(ctx, config, name, b, opts)));
}
