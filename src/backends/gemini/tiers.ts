/**
 * Gemini CLI's approval modes and policy file per tier (verified against gemini 0.61.0).
 * See src/backends/tiers.ts for what every tier must grant.
 * @module
 */
import { regexEscape, tomlString as toml } from "../escape.ts";
import type { TierMapping, TierVars } from "../tiers.ts";
import { GEMINI_POLICY_FILE } from "../../store/paths.ts";
import { ruleParts } from "../../rules.ts";
import type { StatePath } from "../../proc/confine.ts";

/** Where gemini keeps its own state: writable in a confined run (src/proc/confine.ts). */
const GEMINI_STATE: StatePath[] = [{ under: "HOME", path: ".gemini" }];

/** Where the gemini policy file goes: the task folder, so it is removed with the task. */
export function geminiPolicyPath(v: TierVars): string {
  return `${v.taskDir}/${GEMINI_POLICY_FILE}`;
}

/**
 * One task rule as a policy rule. A prefix rule is `commandPrefix` (gemini matches it followed by
 * a space or the end); an exact one a `commandRegex` that ends at the command's closing quote.
 * Deny rules get a higher priority, so deny wins; gemini checks each part of a compound command,
 * and asks (so refuses, headless) when an allowed command has a redirection.
 */
export function geminiShellRule(rule: string, decision: "allow" | "deny"): string[] {
  const { command, prefix } = ruleParts(rule);
  return [
    "[[rule]]",
    'toolName = "run_shell_command"',
    prefix ? `commandPrefix = ${toml(command)}` : `commandRegex = ${toml(`${regexEscape(command)}"`)}`,
    `decision = "${decision}"`,
    `priority = ${decision === "deny" ? 200 : 100}`,
    "",
  ];
}

/** The task's rules as policy rules (deny only when `denyOnly`). */
export function geminiRulePolicy(v: TierVars, denyOnly = false): string[] {
  return [
    ...(denyOnly ? [] : v.rules.allow.flatMap((r) => geminiShellRule(r, "allow"))),
    ...v.rules.deny.flatMap((r) => geminiShellRule(r, "deny")),
  ];
}

/**
 * The policy-engine rules that let a gemini worker ask and tick its plan
 * in any tier: `<dispatch> ask ...` as a shell command, and writes to files
 * directly in its task folder (no subfolders, so no `..` escapes).
 */
export function geminiPolicy(v: TierVars): string {
  const jsonPath = JSON.stringify(v.workDir).slice(1, -1); // as it appears in the tool's JSON arguments
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
    ...geminiRulePolicy(v),
  ].join("\n");
}

// Headless gemini does not even offer the tools a mode would have to ask for, so the
// policy file is what puts the shell tool (for `ask`) in front of the model.
/** The flags per tier. */
export const geminiTiers: TierMapping = {
  read: (v) => ({
    confine: GEMINI_STATE,
    args: ["--approval-mode", "default", "--policy", geminiPolicyPath(v), "--include-directories", v.workDir],
    files: { [geminiPolicyPath(v)]: geminiPolicy(v) },
  }),
  edit: (v) => ({
    confine: GEMINI_STATE,
    args: [
      "--approval-mode",
      "auto_edit",
      "--policy",
      geminiPolicyPath(v),
      "--include-directories",
      v.workDir,
    ],
    files: { [geminiPolicyPath(v)]: geminiPolicy(v) },
  }),
  // yolo allows everything; the task's deny rules, if any, still go in a policy file.
  full: (v) => {
    const args = ["--approval-mode", "yolo", "--include-directories", v.workDir];
    if (v.rules.deny.length === 0) return { args };
    const policy = ["# Written by dispatch for this task: its deny rules.", ...geminiRulePolicy(v, true)];
    return {
      args: [...args, "--policy", geminiPolicyPath(v)],
      files: { [geminiPolicyPath(v)]: policy.join("\n") },
    };
  },
};
