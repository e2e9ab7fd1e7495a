/**
 * Per-CLI recipes for running the real worker CLIs offline against the mock
 * model server: the pinned binaries, a throwaway home with the config files
 * each needs, the complete environment, and the argv for a new prompt or a
 * resume. Every choice here was verified with the pinned versions (claude
 * 2.1.330, codex 0.169.0, gemini 0.61.0, opencode 1.18.33, qwen 0.24.4); the
 * comments say why each variable or flag is there.
 * @module
 */

/** The worker CLIs that can run against the mock. */
export type CliName = "claude" | "codex" | "gemini" | "opencode" | "qwen";

/** Every CLI name, in the order tests run them (fastest first). */
export const CLI_NAMES: readonly CliName[] = ["claude", "codex", "gemini", "qwen", "opencode"];

/** The model id every recipe asks for; the mock accepts any id. */
export const MOCK_MODEL = "mock-model";

/** A port nothing listens on: package managers pointed at it fail at once instead of going online. */
const DEAD_REGISTRY = "http://127.0.0.1:9/";

/** Absolute path of the pinned CLI binary in test/clis/node_modules/.bin. */
export function cliPath(name: CliName): string {
  return new URL(`../clis/node_modules/.bin/${name}`, import.meta.url).pathname;
}

/** True when the pinned binary is installed (tests are skipped only when it is not). */
export function cliInstalled(name: CliName): boolean {
  try {
    return Deno.statSync(cliPath(name)).isFile;
  } catch {
    return false;
  }
}

/**
 * The environment every CLI starts from. Nothing is inherited from the host
 * beyond PATH (node is needed by codex, gemini and qwen), so real API keys,
 * a surrounding Claude Code session's variables or proxies cannot leak in.
 */
export function baseEnv(home: string): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
    TERM: "dumb",
    NO_COLOR: "1",
  };
}

/** Options shared by the argv builders. */
export interface CliArgsOptions {
  /** Mock base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  mockUrl: string;
  /** The prompt (opencode takes it on stdin instead; see {@link cliInvocation}). */
  prompt: string;
  /** Session/thread id to resume. */
  resume?: string;
}

// ---------------------------------------------------------------- claude

/** Claude Code: its config under `home/.claude`, the mock as Anthropic endpoint. */
export function claudeEnv(home: string, mockUrl: string): Record<string, string> {
  return {
    ...baseEnv(home),
    CLAUDE_CONFIG_DIR: `${home}/.claude`,
    ANTHROPIC_BASE_URL: mockUrl,
    ANTHROPIC_API_KEY: "sk-ant-mock",
    // Without it a failing endpoint is retried for minutes.
    CLAUDE_CODE_MAX_RETRIES: "0",
    // No DNS lookups, telemetry or update checks: only the base URL is contacted.
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    // --dangerously-skip-permissions is refused as root unless this is set.
    IS_SANDBOX: "1",
  };
}

/** `claude -p` with stream-json output (needs --verbose) and no permission prompts. */
export function claudeArgs(o: CliArgsOptions): string[] {
  return [
    "-p",
    o.prompt,
    "--output-format",
    "stream-json",
    "--verbose",
    "--model",
    MOCK_MODEL,
    "--dangerously-skip-permissions",
    ...(o.resume ? ["--resume", o.resume] : []),
  ];
}

// ---------------------------------------------------------------- codex

/** codex: `CODEX_HOME` must exist; the custom provider reads its key from `MOCK_API_KEY`. */
export function codexEnv(home: string, _mockUrl: string): Record<string, string> {
  return { ...baseEnv(home), CODEX_HOME: `${home}/.codex`, MOCK_API_KEY: "mock-key" };
}

/**
 * `codex exec [resume]` on a custom Responses-API provider. A custom provider
 * makes no WebSocket attempts (the built-in one tries 7 first).
 */
export function codexArgs(o: CliArgsOptions): string[] {
  const config = [
    "model_provider=mock",
    "model_providers.mock.name=mock",
    `model_providers.mock.base_url="${o.mockUrl}/v1"`,
    "model_providers.mock.wire_api=responses",
    "model_providers.mock.env_key=MOCK_API_KEY",
    // Fail fast instead of 5 reconnects (about 7 s) on a dead or failing mock.
    "model_providers.mock.request_max_retries=0",
    "model_providers.mock.stream_max_retries=0",
    // Tool calls run `bash -lc` by default, and /etc/profile resets PATH for root.
    "allow_login_shell=false",
    "check_for_update_on_startup=false",
    // exec defaults to a read-only sandbox; writing in the workspace needs this. As config, not
    // `-s`, because `exec resume` rejects `-s`.
    'sandbox_mode="workspace-write"',
    // Without it codex looks up github.com at start (plugin marketplace sync).
    "features.plugins=false",
  ].flatMap((c) => ["-c", c]);
  return [
    "exec",
    ...(o.resume ? ["resume"] : []),
    "--json",
    "--skip-git-repo-check",
    "-m",
    MOCK_MODEL,
    ...config,
    ...(o.resume ? [o.resume] : []),
    o.prompt,
  ];
}

// ---------------------------------------------------------------- gemini

/** gemini: `GEMINI_CLI_HOME` replaces $HOME; one process so signals reach it. */
export function geminiEnv(home: string, mockUrl: string): Record<string, string> {
  return {
    ...baseEnv(home),
    GEMINI_CLI_HOME: home,
    GOOGLE_GEMINI_BASE_URL: mockUrl,
    GEMINI_API_KEY: "mock-key",
    GEMINI_CLI_NO_RELAUNCH: "true",
  };
}

/**
 * gemini's settings: without `selectedType` 0.61 picks auth type "gateway"
 * and exits 41; the rest stops its telemetry (play.googleapis.com) and
 * update checks.
 */
export const GEMINI_SETTINGS = {
  security: { auth: { selectedType: "gemini-api-key" } },
  privacy: { usageStatisticsEnabled: false },
  general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
};

/** `gemini -p`: --skip-trust is required headless (else exit 55), --yolo offers the shell tool. */
export function geminiArgs(o: CliArgsOptions): string[] {
  return [
    "-p",
    o.prompt,
    "-m",
    MOCK_MODEL,
    "-o",
    "stream-json",
    "--skip-trust",
    "--yolo",
    ...(o.resume ? ["--resume", o.resume] : []),
  ];
}

// ---------------------------------------------------------------- opencode

/** The opencode config: the mock as an OpenAI-compatible provider, with costs so `cost` is non-zero. */
export function opencodeConfig(mockUrl: string): Record<string, unknown> {
  return {
    model: `mock/${MOCK_MODEL}`,
    // Its per-step git snapshots of the worktree cost about 2 s a run and no test needs them.
    snapshot: false,
    autoupdate: false,
    share: "disabled",
    provider: {
      mock: {
        npm: "@ai-sdk/openai-compatible",
        name: "Mock",
        options: { baseURL: `${mockUrl}/v1`, apiKey: "mock-key" },
        models: { [MOCK_MODEL]: { name: "Mock Model", cost: { input: 1000, output: 2000 } } },
      },
    },
  };
}

/** opencode: all state under XDG dirs in `home`, config inline, no network besides the mock. */
export function opencodeEnv(home: string, mockUrl: string): Record<string, string> {
  return {
    ...baseEnv(home),
    XDG_CONFIG_HOME: `${home}/.config`,
    XDG_DATA_HOME: `${home}/.local/share`,
    XDG_CACHE_HOME: `${home}/.cache`,
    XDG_STATE_HOME: `${home}/.local/state`,
    OPENCODE_CONFIG_CONTENT: JSON.stringify(opencodeConfig(mockUrl)),
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_SHARE: "1",
    // It installs plugin packages from npm at start; a dead registry keeps it offline and fast.
    npm_config_registry: DEAD_REGISTRY,
  };
}

/** `opencode run`: the prompt goes on stdin, because an argv prompt with spaces arrives re-quoted. */
export function opencodeArgs(o: Omit<CliArgsOptions, "prompt">): string[] {
  return ["run", "--format", "json", ...(o.resume ? ["--session", o.resume] : [])];
}

// ---------------------------------------------------------------- qwen

/** qwen: everything under $HOME/.qwen. */
export function qwenEnv(home: string, _mockUrl: string): Record<string, string> {
  return { ...baseEnv(home), QWEN_CODE_SUPPRESS_YOLO_WARNING: "1" };
}

/**
 * qwen's settings. `privacy` stops its usage telemetry (a DNS lookup of an
 * aliyuncs.com host). `memory` stops the background "managed auto-memory"
 * agent: it makes its own model calls after a turn (seen on resume) and is
 * offered `run_shell_command`, so a step script would run its steps twice.
 */
export const QWEN_SETTINGS = {
  privacy: { usageStatisticsEnabled: false },
  general: { enableAutoUpdate: false },
  memory: { enableManagedAutoMemory: false, enableManagedAutoDream: false, enableAutoSkill: false },
};

/** `qwen -p` on the OpenAI-compatible auth type; --yolo offers the shell tool. */
export function qwenArgs(o: CliArgsOptions): string[] {
  return [
    "-p",
    o.prompt,
    "--auth-type",
    "openai",
    "--openai-base-url",
    `${o.mockUrl}/v1`,
    "--openai-api-key",
    "mock-key",
    "-m",
    MOCK_MODEL,
    "-o",
    "stream-json",
    "--yolo",
    ...(o.resume ? ["--resume", o.resume] : []),
  ];
}

// ---------------------------------------------------------------- all

/** Creates `home` with the config files `name` needs. Call once per home; resumes reuse it. */
export async function prepareHome(name: CliName, home: string): Promise<void> {
  await Deno.mkdir(home, { recursive: true });
  if (name === "claude") await Deno.mkdir(`${home}/.claude`, { recursive: true });
  if (name === "codex") await Deno.mkdir(`${home}/.codex`, { recursive: true });
  if (name === "gemini") {
    await Deno.mkdir(`${home}/.gemini`, { recursive: true });
    await Deno.writeTextFile(`${home}/.gemini/settings.json`, JSON.stringify(GEMINI_SETTINGS, null, 2));
  }
  if (name === "qwen") {
    await Deno.mkdir(`${home}/.qwen`, { recursive: true });
    await Deno.writeTextFile(`${home}/.qwen/settings.json`, JSON.stringify(QWEN_SETTINGS, null, 2));
  }
}

/** Everything needed to spawn one CLI run. */
export interface CliInvocation {
  cmd: string;
  args: string[];
  env: Record<string, string>;
  /** Prompt to write to stdin (opencode); stdin is /dev/null otherwise. */
  stdin?: string;
}

/** The full invocation of `name` for a prompt (optionally resuming a session). */
export function cliInvocation(name: CliName, home: string, o: CliArgsOptions): CliInvocation {
  const cmd = cliPath(name);
  switch (name) {
    case "claude":
      return { cmd, args: claudeArgs(o), env: claudeEnv(home, o.mockUrl) };
    case "codex":
      return { cmd, args: codexArgs(o), env: codexEnv(home, o.mockUrl) };
    case "gemini":
      return { cmd, args: geminiArgs(o), env: geminiEnv(home, o.mockUrl) };
    case "opencode":
      return { cmd, args: opencodeArgs(o), env: opencodeEnv(home, o.mockUrl), stdin: o.prompt };
    case "qwen":
      return { cmd, args: qwenArgs(o), env: qwenEnv(home, o.mockUrl) };
  }
}
