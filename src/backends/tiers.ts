/**
 * Permission tiers mapped to each worker CLI's own flags, in one place.
 *
 * - `read`: the worker may read the project but not change it.
 * - `edit` (the default): it may change files in the project (and, where
 *   the CLI sandboxes its shell, run commands inside that sandbox).
 * - `full`: every permission check is bypassed. Never chosen silently.
 *
 * Whatever the tier, a worker must be able to tick its plan, write its
 * summary (both in its task folder under `$DISPATCH_HOME`) and run
 * `<dispatch> ask`, which appends to `$DISPATCH_HOME`. Each mapping below
 * grants exactly that on top of the CLI's own mode; the comments say why
 * each flag is there. Verified against claude 2.1.330, codex 0.169.0,
 * gemini 0.61.0, opencode 1.18.33 and qwen 0.24.4; cursor from its docs.
 * @module
 */
import type { Tier } from "../config/schema.ts";

/** The worker CLIs with an adapter. */
export type CliName = "claude" | "codex" | "cursor" | "gemini" | "opencode" | "qwen";

/** Every CLI with an adapter, in README order. */
export const CLI_NAMES: readonly CliName[] = ["claude", "codex", "gemini", "qwen", "opencode", "cursor"];

/** The paths a tier mapping grants. */
export interface TierVars {
  /** Absolute path of the `dispatch` helper. */
  bin: string;
  /** The task's folder: plan.md, output.md, questions/. */
  taskDir: string;
  /** `$DISPATCH_HOME`. */
  home: string;
  taskId: string;
}

/** What a tier adds to a CLI's command line. */
export interface TierFlags {
  args: string[];
  env?: Record<string, string>;
  /** Files the flags refer to (absolute path to content), written before the CLI starts. */
  files?: Record<string, string>;
  /** Set when the CLI cannot honour this tier: why, and what to do instead. */
  unsupported?: string;
}

type Mapping = Record<Tier, (v: TierVars) => TierFlags>;

/** Claude Code rules take `//abs/path` for an absolute path (a single `/` is relative to the settings file). */
function claudePath(path: string): string {
  return `/${path}`;
}

const claude: Mapping = {
  // `default` mode denies anything not allowed in -p; read-only tools and read-only
  // shell commands (cat, ls, grep) inside the working dirs run without a rule.
  read: (v) => ({
    args: [
      "--permission-mode",
      "default",
      "--add-dir",
      v.taskDir,
      "--allowedTools",
      `Bash(${v.bin} ask:*)`,
      "--allowedTools",
      `Edit(${claudePath(v.taskDir)}/**)`,
      "--allowedTools",
      `Write(${claudePath(v.taskDir)}/**)`,
    ],
  }),
  // acceptEdits: edits (and sed/touch/mkdir-style file commands) in the working dirs;
  // --add-dir makes the task folder one of them. Other shell commands stay denied.
  edit: (v) => ({
    args: [
      "--permission-mode",
      "acceptEdits",
      "--add-dir",
      v.taskDir,
      "--allowedTools",
      `Bash(${v.bin} ask:*)`,
    ],
  }),
  // Refused as root unless IS_SANDBOX=1 is in the environment (set it in backends.claude.env).
  full: (v) => ({ args: ["--dangerously-skip-permissions", "--add-dir", v.taskDir] }),
};

/** A TOML basic string (JSON's escapes are valid TOML). */
function toml(s: string): string {
  return JSON.stringify(s);
}

// `-c` overrides, because `codex exec resume` accepts neither -s nor --add-dir.
const codex: Mapping = {
  // A permission profile: read-only like `-s read-only`, plus writes to $DISPATCH_HOME.
  // (A `sandbox_mode` in the user's own config.toml takes precedence over profiles.)
  read: (v) => ({
    args: [
      "-c",
      'default_permissions="dispatch_read"',
      "-c",
      `permissions.dispatch_read={extends=":read-only", filesystem={${toml(v.home)}="write"}}`,
    ],
  }),
  edit: (v) => ({
    args: [
      "-c",
      'sandbox_mode="workspace-write"',
      "-c",
      `sandbox_workspace_write.writable_roots=[${toml(v.home)}]`,
    ],
  }),
  full: () => ({ args: ["-c", 'sandbox_mode="danger-full-access"'] }),
};

function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Where the gemini policy file goes: the task folder, so it is removed with the task. */
export function geminiPolicyPath(v: TierVars): string {
  return `${v.taskDir}/gemini-policy.toml`;
}

/**
 * The policy-engine rules that let a gemini worker ask and tick its plan
 * in any tier: `<dispatch> ask ...` as a shell command, and writes to files
 * directly in its task folder (no subfolders, so no `..` escapes).
 */
export function geminiPolicy(v: TierVars): string {
  const jsonPath = JSON.stringify(v.taskDir).slice(1, -1); // as it appears in the tool's JSON arguments
  return [
    "# Written by dispatch for this task: the worker may ask and tick its plan.",
    "[[rule]]",
    'toolName = "run_shell_command"',
    `commandPrefix = ${toml(`${v.bin} ask`)}`,
    'decision = "allow"',
    "priority = 100",
    "",
    "[[rule]]",
    'toolName = ["replace", "write_file"]',
    `argsPattern = ${toml(`"file_path":"${regexEscape(jsonPath)}/[^"/]+"`)}`,
    'decision = "allow"',
    "priority = 100",
    "",
  ].join("\n");
}

// Headless gemini does not even offer the tools a mode would have to ask for, so the
// policy file is what puts the shell tool (for `ask`) in front of the model.
const gemini: Mapping = {
  read: (v) => ({
    args: ["--approval-mode", "default", "--policy", geminiPolicyPath(v), "--include-directories", v.taskDir],
    files: { [geminiPolicyPath(v)]: geminiPolicy(v) },
  }),
  edit: (v) => ({
    args: [
      "--approval-mode",
      "auto_edit",
      "--policy",
      geminiPolicyPath(v),
      "--include-directories",
      v.taskDir,
    ],
    files: { [geminiPolicyPath(v)]: geminiPolicy(v) },
  }),
  full: (v) => ({ args: ["--approval-mode", "yolo", "--include-directories", v.taskDir] }),
};

// qwen denies shell, edit and write_file by name in headless default mode unless an
// --allowed-tools rule names them; path rules use `//abs` like Claude's.
const qwen: Mapping = {
  read: (v) => ({
    args: [
      "--approval-mode",
      "default",
      "--allowed-tools",
      `run_shell_command(${v.bin} ask)`,
      "--allowed-tools",
      `edit(/${v.taskDir}/**)`,
      "--allowed-tools",
      `write_file(/${v.taskDir}/**)`,
      "--include-directories",
      v.taskDir,
    ],
  }),
  edit: (v) => ({
    args: [
      "--approval-mode",
      "auto-edit",
      "--allowed-tools",
      `run_shell_command(${v.bin} ask)`,
      "--include-directories",
      v.taskDir,
    ],
  }),
  full: (v) => ({ args: ["--approval-mode", "yolo", "--include-directories", v.taskDir] }),
};

/**
 * opencode's edit rules match the path relative to the project, which for
 * the task folder is `../../…/tasks/<id>/plan.md`: match its tail.
 */
function opencodeTaskPatterns(v: TierVars): Record<string, "allow"> {
  return { [`${v.taskDir}/*`]: "allow", [`*/tasks/${v.taskId}/*`]: "allow" };
}

// OPENCODE_PERMISSION. By default opencode allows everything but files outside the project
// (`external_directory`: "ask"), and `run` auto-rejects every "ask" and exits 0.
const opencode: Mapping = {
  read: (v) => ({
    args: [],
    env: {
      OPENCODE_PERMISSION: JSON.stringify({
        edit: { "*": "deny", ...opencodeTaskPatterns(v) },
        bash: { "*": "deny", [`${v.bin} ask *`]: "allow" },
        external_directory: { [`${v.taskDir}/*`]: "allow" },
      }),
    },
  }),
  edit: (v) => ({
    args: [],
    env: { OPENCODE_PERMISSION: JSON.stringify({ external_directory: { [`${v.taskDir}/*`]: "allow" } }) },
  }),
  full: () => ({ args: [], env: { OPENCODE_PERMISSION: JSON.stringify({ "*": "allow" }) } }),
};

// From Cursor's docs only (no `agent` can run here). Without --force, print mode keeps writes
// inside the workspace and runs only allowlisted or sandboxable shell commands, and no flag
// adds a writable folder: if a worker cannot tick its plan in $DISPATCH_HOME, allow it in
// ~/.cursor/cli-config.json (e.g. `Write(~/.dispatch/**)`, `Shell(dispatch)`) or use `full`.
const cursor: Mapping = {
  read: () => ({
    args: [],
    unsupported:
      "Cursor agent has no read-only mode that still lets a worker tick its plan and ask: use --tier edit or full",
  }),
  edit: () => ({ args: [] }),
  full: () => ({ args: ["--force"] }),
};

const MAPPINGS: Record<CliName, Mapping> = { claude, codex, cursor, gemini, opencode, qwen };

/** The flags, environment and files `cli` needs to run at `tier`. */
export function tierFlags(cli: CliName, tier: Tier, vars: TierVars): TierFlags {
  return MAPPINGS[cli][tier](vars);
}

/** Placeholders the README table shows instead of real paths. */
export const TIER_PLACEHOLDERS: TierVars = {
  bin: "$DISPATCH_BIN",
  taskDir: "$TASK_DIR",
  home: "$DISPATCH_HOME",
  taskId: "<id>",
};

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./=:$<>@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** One tier's flags as a line of shell: `ENV=… --flag value`. */
export function renderTier(flags: TierFlags): string {
  if (flags.unsupported) return `not supported: ${flags.unsupported}`;
  const env = Object.entries(flags.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const line = [...env, ...flags.args.map(shellQuote)].join(" ");
  return line === "" ? "(none: the CLI's own default)" : line;
}

/**
 * The tier table for the README: per CLI and tier, the flags dispatch adds,
 * with `$TASK_DIR` for `$DISPATCH_HOME/tasks/<id>` and `$DISPATCH_BIN` for
 * the helper's absolute path.
 */
export const TIER_TABLE: Readonly<Record<CliName, Readonly<Record<Tier, string>>>> = Object.freeze(
  Object.fromEntries(
    CLI_NAMES.map((cli) => [
      cli,
      Object.freeze({
        read: renderTier(tierFlags(cli, "read", TIER_PLACEHOLDERS)),
        edit: renderTier(tierFlags(cli, "edit", TIER_PLACEHOLDERS)),
        full: renderTier(tierFlags(cli, "full", TIER_PLACEHOLDERS)),
      }),
    ]),
  ) as Record<CliName, Record<Tier, string>>,
);

/** {@linkcode TIER_TABLE} as a Markdown table. */
export function tierTableMarkdown(): string {
  const cell = (s: string) => `\`${s.replace(/\|/g, "\\|")}\``;
  const lines = ["| CLI | read | edit (default) | full |", "| --- | --- | --- | --- |"];
  for (const cli of CLI_NAMES) {
    const row = TIER_TABLE[cli];
    lines.push(`| ${cli} | ${cell(row.read)} | ${cell(row.edit)} | ${cell(row.full)} |`);
  }
  return lines.join("\n") + "\n";
}
