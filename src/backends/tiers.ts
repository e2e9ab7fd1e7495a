/**
 * Permission tiers, shared by every worker CLI, and the README's tier table.
 *
 * - `read`: the worker may read the project but not change it.
 * - `edit` (the default): it may change files in the project (and, where
 *   the CLI sandboxes its shell, run commands inside that sandbox).
 * - `full`: every permission check is bypassed. Never chosen silently.
 *
 * Whatever the tier, a worker must be able to tick its plan, write its
 * summary and run `<dispatch> ask`, which writes a question file: all three
 * in the task's `work/` folder, the only part of `$DISPATCH_HOME` it may write. Each CLI's mapping
 * (`src/backends/<cli>/tiers.ts`) grants exactly that on top of the CLI's
 * own mode, with comments saying why each flag is there.
 * @module
 */
import type { Tier } from "../tier.ts";
import type { StatePath } from "../proc/confine.ts";
import type { Rules } from "../rules.ts";
import { CLI_NAMES, type CliName } from "./registry.ts";
import { cliProfile } from "./profiles.ts";

/** The paths a tier mapping grants. */
export interface TierVars {
  /** Absolute path of the `dispatch` helper. */
  bin: string;
  /** The task's folder: the trusted side's (spec, state, answers); a worker may read it, never write it. */
  taskDir: string;
  /** The one folder a worker may write whatever its tier: plan.md, output.md, questions/. */
  workDir: string;
  /** `$DISPATCH_HOME`. */
  home: string;
  taskId: string;
  /**
   * The task's shell rules (src/rules.ts), which each CLI maps to its own
   * syntax with deny winning; in `full` only the deny rules are passed on.
   */
  rules: Rules;
}

/** What a tier adds to a CLI's command line. */
export interface TierFlags {
  args: string[];
  env?: Record<string, string>;
  /** Files the flags refer to (absolute path to content), written before the CLI starts. */
  files?: Record<string, string>;
  /**
   * Set for a CLI with no OS sandbox of its own: dispatch confines the run
   * (src/proc/confine.ts) to what the tier grants, plus these state folders
   * of the CLI's own.
   */
  confine?: StatePath[];
  /** Set when the CLI cannot honour this tier: why, and what to do instead. */
  unsupported?: string;
}

/** One CLI's flags for each tier. */
export type TierMapping = Readonly<Record<Tier, (v: TierVars) => TierFlags>>;

/** The flags, environment and files `cli` needs to run at `tier`. */
export function tierFlags(cli: CliName, tier: Tier, vars: TierVars): TierFlags {
  return cliProfile(cli).tiers[tier](vars);
}

/** Placeholders the README table shows instead of real paths. */
export const TIER_PLACEHOLDERS: TierVars = {
  bin: "$DISPATCH_BIN",
  taskDir: "$TASK_DIR",
  workDir: "$TASK_DIR/work",
  home: "$DISPATCH_HOME",
  taskId: "<id>",
  rules: { allow: [], deny: [] },
};

/** The example rules the README's rule table maps for each CLI. */
export const EXAMPLE_RULES: Rules = { allow: ["npm test", "git diff *"], deny: ["git push *"] };

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

/** One CLI's row of the tier table: each tier's flags rendered with placeholders. */
export function tierRow(tiers: TierMapping): Readonly<Record<Tier, string>> {
  return Object.freeze({
    read: renderTier(tiers.read(TIER_PLACEHOLDERS)),
    edit: renderTier(tiers.edit(TIER_PLACEHOLDERS)),
    full: renderTier(tiers.full(TIER_PLACEHOLDERS)),
  });
}

/**
 * The tier table for the README: per CLI and tier, the flags dispatch adds,
 * with `$TASK_DIR` for `$DISPATCH_HOME/tasks/<id>` and `$DISPATCH_BIN` for
 * the helper's absolute path.
 */
export const TIER_TABLE: Readonly<Record<CliName, Readonly<Record<Tier, string>>>> = Object.freeze(
  Object.fromEntries(CLI_NAMES.map((cli) => [cli, tierRow(cliProfile(cli).tiers)])) as Record<
    CliName,
    Record<Tier, string>
  >,
);

/**
 * The rule table for the README: per CLI, what {@linkcode EXAMPLE_RULES}
 * add to the `edit` tier's flags (every mapping appends its rules).
 */
export function rulesTableMarkdown(
  rows: readonly { name: string; tiers: TierMapping }[] = CLI_NAMES.map(cliProfile),
): string {
  const cell = (s: string) => `\`${s.replace(/\|/g, "\\|")}\``;
  const lines = [
    "| CLI | what `--allow 'npm test' --allow 'git diff *' --deny 'git push *'` adds to `edit` |",
  ];
  lines.push("| --- | --- |");
  for (const { name, tiers } of rows) {
    const plain = tiers.edit(TIER_PLACEHOLDERS);
    const ruled = tiers.edit({ ...TIER_PLACEHOLDERS, rules: EXAMPLE_RULES });
    const env = Object.entries(ruled.env ?? {}).filter(([k, v]) => plain.env?.[k] !== v);
    const fileLines = Object.entries(ruled.files ?? {}).flatMap(([k, v]) => {
      const before = plain.files?.[k] ?? "";
      const added = (v.startsWith(before) ? v.slice(before.length) : v).split("\n")
        .filter((l) => l !== "" && !l.startsWith("#") && l !== "[[rule]]");
      return added.length > 0 ? [`${k.replace("$TASK_DIR/", "")}: ${added.join(" ")}`] : [];
    });
    const parts = [
      ...(env.length > 0 || ruled.args.length > plain.args.length
        ? [renderTier({ args: ruled.args.slice(plain.args.length), env: Object.fromEntries(env) })]
        : []),
      ...fileLines,
    ];
    lines.push(`| ${name} | ${parts.length === 0 ? "not mapped" : parts.map(cell).join(" ")} |`);
  }
  return lines.join("\n") + "\n";
}

/**
 * How each CLI relays a call its tier and rules do not allow to the host (the
 * tier table's last column); a CLI not named has allow rules only.
 */
export const PERMISSION_RELAYS: Readonly<Record<string, string>> = Object.freeze({
  claude: "PreToolUse hook answers `defer`; the answer resumes the session",
  codex: "app-server (`on-request`): a command the model escalates asks; the answer resumes the thread",
});

/** The tier table as Markdown, one row per CLI (`rows` defaults to the registry's CLIs). */
export function tierTableMarkdown(
  rows: readonly { name: string; tiers: TierMapping }[] = CLI_NAMES.map(cliProfile),
): string {
  const cell = (s: string) => `\`${s.replace(/\|/g, "\\|")}\``;
  const lines = ["| CLI | read | edit (default) | full | relay |", "| --- | --- | --- | --- | --- |"];
  for (const { name, tiers } of rows) {
    const row = tierRow(tiers);
    const relay = PERMISSION_RELAYS[name] ?? "rules only";
    lines.push(`| ${name} | ${cell(row.read)} | ${cell(row.edit)} | ${cell(row.full)} | ${relay} |`);
  }
  return lines.join("\n") + "\n";
}
