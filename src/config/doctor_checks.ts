/**
 * `dispatch doctor`'s checks: for every configured backend, is its CLI
 * installed, which version, is it authenticated (asked without spending a
 * token: `claude auth status`, `codex login status`, `opencode auth list`,
 * `agent status`, or the credentials gemini and qwen read), and does its
 * `--help` list the flags dispatch runs it headless with. Each failure comes
 * with the exact fix. Probes run with the environment the worker would get
 * (the backend's `env` added), bounded in time, all backends at once.
 * @module
 */
import type { Ctx } from "../context.ts";
import type { BackendConfig, Config } from "./schema.ts";
import { firstLine, type ProbeResult, type ProbeRunner, runProbe, stripAnsi, which } from "../proc/probe.ts";

/** One check's outcome. */
export interface CheckResult {
  check: "installed" | "version" | "authenticated" | "headless flags" | "built in";
  ok: boolean;
  /** What was found. */
  detail: string;
  /** The exact fix, for a failure. */
  fix?: string;
  /** Not run because an earlier check failed. */
  skipped?: boolean;
}

/** All checks of one backend. */
export interface BackendReport {
  backend: string;
  /** The adapter (`claude`, `command`, ...). */
  type: string;
  ok: boolean;
  checks: CheckResult[];
}

/** Test seams and limits. */
export interface DoctorOptions {
  runner?: ProbeRunner;
  /** Per probe (default 15 s: a cold gemini --version took 2.7 s on a loaded machine). */
  timeoutMs?: number;
  /** Check only these backends (default: all). */
  only?: string[];
}

/** What a probe environment and its results look like to an auth check. */
interface AuthInput {
  name: string;
  env: Record<string, string>;
  backend: BackendConfig;
  /** Models configured on this backend. */
  models: string[];
  probe(args: string[]): Promise<ProbeResult>;
}

type AuthOutcome = { ok: boolean; detail: string; fix?: string };

/** Per CLI: how to install it, where its headless flags are listed, and how to ask about auth. */
interface CliCheck {
  bins: string[];
  install: string;
  /** `--help` invocations and the long flags each must list. */
  help: { args: string[]; flags: string[]; commands?: string[] }[];
  auth(input: AuthInput): Promise<AuthOutcome>;
}

const where = (name: string) => `backends.${name}.env in config.yaml`;

function readJsonFile(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return undefined;
  }
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function selectedType(settings: Record<string, unknown> | undefined): string | undefined {
  const security = settings?.security as { auth?: { selectedType?: unknown } } | undefined;
  const type = security?.auth?.selectedType ?? (settings as { selectedAuthType?: unknown } | undefined)
    ?.selectedAuthType;
  return typeof type === "string" ? type : undefined;
}

function hasArg(backend: BackendConfig, ...flags: string[]): boolean {
  return (backend.args ?? []).some((a) => flags.some((f) => a === f || a.startsWith(`${f}=`)));
}

/**
 * The checks per adapter type. The flags are those the adapters in
 * src/backends/ pass (launch, resume and every tier); keep them in step.
 */
export const CLI_CHECKS: Record<string, CliCheck> = {
  claude: {
    bins: ["claude"],
    install: "npm install -g @anthropic-ai/claude-code",
    help: [{
      args: ["--help"],
      flags: [
        "--print",
        "--output-format",
        "--verbose",
        "--model",
        "--resume",
        "--permission-mode",
        "--add-dir",
        "--allowedTools",
        "--dangerously-skip-permissions",
      ],
    }],
    async auth({ name, probe }) {
      const r = await probe(["auth", "status"]);
      let status: { loggedIn?: unknown; authMethod?: unknown; apiKeySource?: unknown } = {};
      try {
        status = JSON.parse(r.stdout.slice(r.stdout.indexOf("{")));
      } catch {
        // older versions print text
      }
      if (r.code === 0 && status.loggedIn !== false) {
        const how = [status.authMethod, status.apiKeySource].filter((x) => typeof x === "string").join(", ");
        return { ok: true, detail: `logged in${how ? ` (${how})` : ""}` };
      }
      return {
        ok: false,
        detail: r.timedOut
          ? "'claude auth status' timed out"
          : `not logged in ('claude auth status' exited ${r.code})`,
        fix: `run 'claude auth login' (or 'claude setup-token'), or set ANTHROPIC_API_KEY under ${
          where(name)
        }`,
      };
    },
  },
  codex: {
    bins: ["codex"],
    install: "npm install -g @openai/codex",
    help: [
      {
        args: ["exec", "--help"],
        flags: ["--json", "--model", "--config", "--skip-git-repo-check"],
        commands: ["resume"],
      },
      // a worker resumed after an answer runs `codex exec resume` with the same flags
      {
        args: ["exec", "resume", "--help"],
        flags: ["--json", "--model", "--config", "--skip-git-repo-check"],
      },
    ],
    async auth({ name, env, backend, probe }) {
      const r = await probe(["login", "status"]);
      if (r.code === 0) return { ok: true, detail: firstLine(r.stdout || r.stderr) || "logged in" };
      if (env.CODEX_API_KEY) return { ok: true, detail: "CODEX_API_KEY is set" };
      if ((backend.args ?? []).some((a) => /model_provider\s*=/.test(a))) {
        return { ok: true, detail: "a custom model_provider in backends.args (its key is not checked)" };
      }
      return {
        ok: false,
        detail: r.timedOut
          ? "'codex login status' timed out"
          : `not logged in ('codex login status' exited ${r.code})`,
        fix:
          `run 'codex login', or 'printenv OPENAI_API_KEY | codex login --with-api-key', or set CODEX_API_KEY under ${
            where(name)
          }`,
      };
    },
  },
  gemini: {
    bins: ["gemini"],
    install: "npm install -g @google/gemini-cli",
    help: [{
      args: ["--help"],
      flags: [
        "--output-format",
        "--model",
        "--approval-mode",
        "--policy",
        "--include-directories",
        "--resume",
        "--skip-trust",
      ],
    }],
    auth({ name, env }) {
      // gemini has no auth status command; these are the credentials it reads (gemini 0.61.0)
      const dir = `${env.GEMINI_CLI_HOME || env.HOME || ""}/.gemini`;
      const settings = readJsonFile(`${dir}/settings.json`);
      const type = selectedType(settings);
      const dotenv = (() => {
        try {
          return Deno.readTextFileSync(`${dir}/.env`);
        } catch {
          return "";
        }
      })();
      if (env.GOOGLE_GEMINI_BASE_URL && !type) {
        return Promise.resolve({
          ok: false,
          detail: "GOOGLE_GEMINI_BASE_URL is set but no auth type is selected (gemini 0.61 then exits 41)",
          fix: `add {"security":{"auth":{"selectedType":"gemini-api-key"}}} to ${dir}/settings.json`,
        });
      }
      const source = env.GEMINI_API_KEY
        ? "GEMINI_API_KEY is set"
        : env.GOOGLE_GENAI_USE_VERTEXAI && (env.GOOGLE_API_KEY || env.GOOGLE_CLOUD_PROJECT)
        ? "Vertex AI (GOOGLE_GENAI_USE_VERTEXAI)"
        : env.GOOGLE_GENAI_USE_GCA
        ? "Code Assist (GOOGLE_GENAI_USE_GCA)"
        : /^\s*(?:export\s+)?GEMINI_API_KEY\s*=/m.test(dotenv)
        ? `GEMINI_API_KEY in ${dir}/.env`
        : type === "oauth-personal" && fileExists(`${dir}/oauth_creds.json`)
        ? "signed in with Google"
        : type && type !== "oauth-personal"
        ? `auth type ${type} selected in settings.json`
        : undefined;
      if (source) return Promise.resolve({ ok: true, detail: source });
      return Promise.resolve({
        ok: false,
        detail: "no credentials (no GEMINI_API_KEY, Vertex or Google sign-in)",
        fix: `set GEMINI_API_KEY under ${
          where(name)
        } (or export it), or run 'gemini' once and sign in with Google`,
      });
    },
  },
  qwen: {
    bins: ["qwen"],
    install: "npm install -g @qwen-code/qwen-code",
    help: [{
      args: ["--help"],
      flags: [
        "--output-format",
        "--model",
        "--approval-mode",
        "--allowed-tools",
        "--include-directories",
        "--resume",
      ],
    }],
    auth({ name, env, backend }) {
      // `qwen auth` was removed (0.24.4): check what it reads
      const dir = `${env.HOME || ""}/.qwen`;
      const type = selectedType(readJsonFile(`${dir}/settings.json`));
      const source = hasArg(backend, "--openai-api-key")
        ? "--openai-api-key in backends.args"
        : env.OPENAI_API_KEY
        ? "OPENAI_API_KEY is set"
        : env.DASHSCOPE_API_KEY
        ? "DASHSCOPE_API_KEY is set"
        : type === "qwen-oauth" && fileExists(`${dir}/oauth_creds.json`)
        ? "signed in with Qwen OAuth"
        : type && type !== "qwen-oauth"
        ? `auth type ${type} selected in settings.json`
        : undefined;
      if (source) return Promise.resolve({ ok: true, detail: source });
      return Promise.resolve({
        ok: false,
        detail: "no credentials (no OPENAI_API_KEY, no Qwen OAuth sign-in)",
        fix: `set OPENAI_API_KEY (and OPENAI_BASE_URL) under ${
          where(name)
        } and args [--auth-type, openai], or run 'qwen' once and sign in`,
      });
    },
  },
  opencode: {
    bins: ["opencode"],
    install: "npm install -g opencode-ai",
    help: [{ args: ["run", "--help"], flags: ["--format", "--model", "--session"] }],
    async auth({ name, env, models, probe }) {
      if (env.OPENCODE_CONFIG_CONTENT || env.OPENCODE_CONFIG) {
        return { ok: true, detail: "providers configured in OPENCODE_CONFIG(_CONTENT)" };
      }
      const r = await probe(["auth", "list"]);
      const text = stripAnsi(r.stdout + r.stderr);
      const count = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
      const creds = count(/(\d+)\s+credentials?/);
      const vars = count(/(\d+)\s+environment variables?/);
      if (r.code === 0 && creds + vars > 0) {
        return { ok: true, detail: `${creds} stored credential(s), ${vars} environment variable(s)` };
      }
      const paid = models.filter((m) => !m.startsWith("opencode/"));
      if (r.code === 0 && paid.length === 0) {
        return { ok: true, detail: "no credentials; opencode's own free models (opencode/*) need none" };
      }
      return {
        ok: false,
        detail: r.code === 0
          ? `no credentials for ${paid.join(", ")}`
          : r.timedOut
          ? "'opencode auth list' timed out"
          : `'opencode auth list' exited ${r.code}`,
        fix: `run 'opencode auth login', or set the provider's API key (e.g. ANTHROPIC_API_KEY) under ${
          where(name)
        }`,
      };
    },
  },
  cursor: {
    bins: ["agent", "cursor-agent"],
    install: "curl https://cursor.com/install -fsS | bash",
    help: [{
      args: ["--help"],
      flags: ["--print", "--output-format", "--model", "--workspace", "--trust", "--force", "--resume"],
    }],
    async auth({ name, env, probe }) {
      if (env.CURSOR_API_KEY) return { ok: true, detail: "CURSOR_API_KEY is set" };
      const r = await probe(["status"]);
      const text = stripAnsi(r.stdout + r.stderr);
      if (r.code === 0 && !/not (?:logged|authenticated)|unauthenticated|log ?in required/i.test(text)) {
        return { ok: true, detail: firstLine(text) || "logged in" };
      }
      return {
        ok: false,
        detail: r.timedOut
          ? "'agent status' timed out"
          : `not logged in ('agent status': ${firstLine(text) || r.code})`,
        fix: `run 'agent login' (NO_OPEN_BROWSER=1 prints the URL), or set CURSOR_API_KEY under ${
          where(name)
        }`,
      };
    },
  },
};

/**
 * The executable a command backend's shell string runs: the first word after
 * `env` and its options, variable assignments and wrappers like `exec` or
 * `nice`. Undefined when the string is too shell-heavy to tell.
 */
export function commandExecutable(command: string): string | undefined {
  const words = command.trim().match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^["']|["']$/g, "")) ?? [];
  let i = 0;
  const skipAssignments = () => {
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
  };
  skipAssignments();
  for (;;) {
    const w = words[i];
    if (w === "env") {
      i++;
      while (i < words.length && words[i]!.startsWith("-")) {
        i += /^-(u|C|S)$|^--(unset|chdir|split-string)$/.test(words[i]!) ? 2 : 1;
      }
      skipAssignments();
    } else if (w === "exec" || w === "command" || w === "nohup" || w === "stdbuf" || w === "time") i++;
    else if (w === "nice") i += words[i + 1] === "-n" ? 3 : 1;
    else break;
  }
  const exe = words[i];
  if (!exe || /[$`|;&<>(){}]/.test(exe)) return undefined;
  return exe;
}

/** The long flags a command string or args list uses (`--force`, `--output-format`). */
export function longFlags(words: string[]): string[] {
  return [...new Set(words.filter((w) => /^--[A-Za-z][\w-]*/.test(w)).map((w) => w.split("=")[0]!))];
}

/** True when `help` lists `flag` (as `--flag`, `--flag <x>`, `--flag=`, or after a comma). */
export function helpHasFlag(help: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[\\s,\\[(])${escaped}(?![\\w-])`, "m").test(help);
}

function typeOf(name: string, b: BackendConfig): string {
  return b.type ?? (b.command ? "command" : name);
}

/** Every backend the config uses: its `backends:` entries, then built-ins its models name. */
export function configuredBackends(config: Config): [string, BackendConfig][] {
  const out: [string, BackendConfig][] = Object.entries(config.backends);
  for (const m of Object.values(config.models)) {
    if (!out.some(([n]) => n === m.backend)) out.push([m.backend, {}]);
  }
  return out;
}

async function checkBackend(
  ctx: Ctx,
  config: Config,
  name: string,
  backend: BackendConfig,
  opts: DoctorOptions,
): Promise<BackendReport> {
  const type = typeOf(name, backend);
  const report = (checks: CheckResult[]): BackendReport => ({
    backend: name,
    type,
    ok: checks.every((c) => c.ok),
    checks,
  });
  if (type === "scripted") {
    return report([{
      check: "built in",
      ok: true,
      detail: "the scripted worker runs this helper; needs nothing",
    }]);
  }
  const env = { ...ctx.env, ...(backend.env ?? {}) };
  // the worker's view: outside any Claude Code session
  for (const k of ["CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SSE_PORT"]) delete env[k];
  const runner = opts.runner ?? runProbe;
  const timeoutMs = opts.timeoutMs ?? 15_000;

  let cli: CliCheck | undefined;
  let bins: string[];
  let extraFlags: string[] = [];
  let helpArgs: string[] | undefined;
  if (type === "command") {
    const exe = commandExecutable(backend.command ?? "");
    if (!exe) {
      return report([{
        check: "installed",
        ok: true,
        detail: "a shell command dispatch cannot look into; not checked",
      }]);
    }
    bins = [exe];
    const base = exe.split("/").pop()!;
    cli = Object.values(CLI_CHECKS).find((c) => c.bins.includes(base));
    const words = (backend.command ?? "").split(/\s+/);
    extraFlags = longFlags([...words, ...(backend.args ?? [])]);
    const at = words.findIndex((w) => w === exe || w.endsWith(`/${base}`));
    const sub = words[at + 1];
    helpArgs = sub && /^[a-z][\w-]*$/.test(sub) ? [sub, "--help"] : ["--help"];
  } else {
    cli = CLI_CHECKS[type];
    if (!cli) {
      return report([{
        check: "installed",
        ok: false,
        detail: `unknown backend type '${type}'`,
        fix: `set backends.${name}.type to one of ${
          Object.keys(CLI_CHECKS).join(", ")
        }, scripted, or give a command`,
      }]);
    }
    bins = backend.bin ? [backend.bin] : cli.bins;
    extraFlags = longFlags(backend.args ?? []);
  }

  let path: string | undefined;
  for (const bin of bins) {
    path = await which(bin, env.PATH ?? "");
    if (path) break;
  }
  const install = cli?.install;
  if (!path) {
    const skipped = (check: CheckResult["check"]): CheckResult => ({
      check,
      ok: false,
      detail: "skipped: not installed",
      skipped: true,
    });
    return report([
      {
        check: "installed",
        ok: false,
        detail: `'${bins.join("' or '")}' not found on PATH`,
        fix: `${install ? `install it: ${install}; or ` : ""}set backends.${name}.${
          type === "command" ? "command to its full path" : "bin to its full path"
        }`,
      },
      ...(cli ? [skipped("version"), skipped("authenticated"), skipped("headless flags")] : []),
    ]);
  }
  const probe = (args: string[]) => runner([path!, ...args], { env, timeoutMs });
  const checks: CheckResult[] = [{ check: "installed", ok: true, detail: path }];
  if (!cli) return report(checks); // a command backend running something we do not know

  const models = Object.entries(config.models).filter(([, m]) => m.backend === name).map(([k, m]) =>
    m.model ?? k
  );
  const [version, auth, help] = await Promise.all([
    probe(["--version"]),
    cli.auth({ name, env, backend, models, probe }),
    (async () => {
      const invocations = type === "command"
        ? [{ args: helpArgs!, flags: extraFlags, commands: [] as string[] }]
        : cli!.help.map((h, i) => ({ ...h, flags: i === 0 ? [...h.flags, ...extraFlags] : h.flags }));
      const missing: string[] = [];
      const checked: string[] = [];
      const failures: string[] = [];
      for (const h of invocations) {
        const r = await probe(h.args);
        const text = stripAnsi(r.stdout + "\n" + r.stderr);
        if (r.timedOut || (r.code !== 0 && !/--\w/.test(text))) {
          failures.push(
            `'${[bins[0], ...h.args].join(" ")}' ${r.timedOut ? "timed out" : `exited ${r.code}`}`,
          );
          continue;
        }
        for (const f of h.flags) (helpHasFlag(text, f) ? checked : missing).push(f);
        for (const c of h.commands ?? []) {
          (new RegExp(`^\\s+${c}\\b`, "m").test(text) ? checked : missing).push(`${h.args[0]} ${c}`);
        }
      }
      return { missing, checked, failures };
    })(),
  ]);
  checks.push(
    version.code === 0
      ? { check: "version", ok: true, detail: firstLine(version.stdout || version.stderr) || "(no output)" }
      : {
        check: "version",
        ok: false,
        detail: `'${bins[0]} --version' ${
          version.timedOut
            ? "timed out"
            : `exited ${version.code}: ${firstLine(version.stderr || version.stdout)}`
        }`,
        fix: `reinstall it: ${install}`,
      },
  );
  checks.push({ check: "authenticated", ...auth });
  if (help.failures.length > 0) {
    checks.push({
      check: "headless flags",
      ok: false,
      detail: help.failures.join("; "),
      fix: `reinstall it: ${install}`,
    });
  } else if (help.missing.length > 0) {
    checks.push({
      check: "headless flags",
      ok: false,
      detail: `its --help lacks ${help.missing.join(", ")}`,
      fix: type === "command" || extraFlags.some((f) => help.missing.includes(f))
        ? `remove or correct ${help.missing.join(", ")} in backends.${name} (or upgrade: ${install})`
        : `upgrade it: ${install}`,
    });
  } else {
    checks.push({
      check: "headless flags",
      ok: true,
      detail: help.checked.length ? [...new Set(help.checked)].join(" ") : "no long flags to check",
    });
  }
  return report(checks);
}

/** Checks every configured backend, all at once. */
export function runDoctor(ctx: Ctx, config: Config, opts: DoctorOptions = {}): Promise<BackendReport[]> {
  const backends = configuredBackends(config).filter(([name]) => !opts.only || opts.only.includes(name));
  return Promise.all(backends.map(([name, b]) => checkBackend(ctx, config, name, b, opts)));
}

/** The text report: one line per check, ✓ or ✗, with the fix on failures; a summary line last. */
export function renderDoctor(reports: BackendReport[]): string {
  const nameWidth = Math.max(7, ...reports.map((r) => r.backend.length));
  const lines: string[] = [];
  for (const r of reports) {
    for (const c of r.checks) {
      const mark = c.ok ? "✓" : c.skipped ? "-" : "✗";
      lines.push(
        `${mark} ${r.backend.padEnd(nameWidth)}  ${c.check.padEnd(14)}  ${c.detail}${
          c.fix ? `. Fix: ${c.fix}` : ""
        }`,
      );
    }
  }
  const bad = reports.filter((r) => !r.ok);
  lines.push(
    bad.length === 0
      ? `All ${reports.length} backend(s) ready.`
      : `${reports.length - bad.length} of ${reports.length} backend(s) ready; not ready: ${
        bad.map((r) => r.backend).join(", ")
      }.`,
  );
  return lines.join("\n") + "\n";
}
