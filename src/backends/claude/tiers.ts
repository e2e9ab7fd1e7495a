/**
 * Claude Code's permission flags per tier (verified against claude 2.1.330).
 * See src/backends/tiers.ts for what every tier must grant.
 * @module
 */
import type { TierMapping } from "../tiers.ts";
import { ruleParts, type Rules } from "../../rules.ts";
import type { StatePath } from "../../proc/confine.ts";

/** Where claude keeps its own state: writable in a confined run (src/proc/confine.ts). */
const CLAUDE_STATE: StatePath[] = [{ under: "HOME", path: ".claude" }];

/** Claude Code rules take `//abs/path` for an absolute path (a single `/` is relative to the settings file). */
function claudePath(path: string): string {
  return `/${path}`;
}

/** A rule as a Bash tool rule: `Bash(npm test)` (exact) or `Bash(git diff:*)` (the prefix, with or without more). */
export function claudeBashRule(rule: string): string {
  const { command, prefix } = ruleParts(rule);
  return prefix ? `Bash(${command}:*)` : `Bash(${command})`;
}

/**
 * The task's rules as flags: `--allowedTools` per allow rule (unless `denyOnly`), `--disallowedTools`
 * per deny rule. Claude checks each part of a compound command and denials first, so deny wins.
 */
export function claudeRuleFlags(rules: Rules, denyOnly = false): string[] {
  return [
    ...(denyOnly ? [] : rules.allow.flatMap((r) => ["--allowedTools", claudeBashRule(r)])),
    ...rules.deny.flatMap((r) => ["--disallowedTools", claudeBashRule(r)]),
  ];
}

/** The flags per tier. */
export const claudeTiers: TierMapping = {
  // `default` mode denies anything not allowed in -p; read-only tools and read-only
  // shell commands (cat, ls, grep) inside the working dirs run without a rule.
  read: (v) => ({
    confine: CLAUDE_STATE,
    args: [
      "--permission-mode",
      "default",
      "--add-dir",
      v.workDir,
      "--allowedTools",
      `Bash(${v.bin} ask:*)`,
      "--allowedTools",
      `Edit(${claudePath(v.workDir)}/**)`,
      "--allowedTools",
      `Write(${claudePath(v.workDir)}/**)`,
      ...claudeRuleFlags(v.rules),
    ],
  }),
  // acceptEdits: edits (and sed/touch/mkdir-style file commands) in the working dirs;
  // --add-dir makes the task folder one of them. Other shell commands stay denied.
  edit: (v) => ({
    confine: CLAUDE_STATE,
    args: [
      "--permission-mode",
      "acceptEdits",
      "--add-dir",
      v.workDir,
      "--allowedTools",
      `Bash(${v.bin} ask:*)`,
      ...claudeRuleFlags(v.rules),
    ],
  }),
  // Refused as root unless IS_SANDBOX=1 is in the environment (set it in backends.claude.env).
  // Deny rules still apply when permissions are bypassed.
  full: (v) => ({
    args: ["--dangerously-skip-permissions", "--add-dir", v.workDir, ...claudeRuleFlags(v.rules, true)],
  }),
};
