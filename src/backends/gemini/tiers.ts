/**
 * Gemini CLI's approval modes and policy file per tier (verified against gemini 0.61.0).
 * See src/backends/tiers.ts for what every tier must grant.
 * @module
 */
import { regexEscape, tomlString as toml } from "../escape.ts";
import type { TierMapping, TierVars } from "../tiers.ts";
import { GEMINI_POLICY_FILE } from "../../store/paths.ts";

/** Where the gemini policy file goes: the task folder, so it is removed with the task. */
export function geminiPolicyPath(v: TierVars): string {
  return `${v.taskDir}/${GEMINI_POLICY_FILE}`;
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
  ].join("\n");
}

// Headless gemini does not even offer the tools a mode would have to ask for, so the
// policy file is what puts the shell tool (for `ask`) in front of the model.
/** The flags per tier. */
export const geminiTiers: TierMapping = {
  read: (v) => ({
    args: ["--approval-mode", "default", "--policy", geminiPolicyPath(v), "--include-directories", v.workDir],
    files: { [geminiPolicyPath(v)]: geminiPolicy(v) },
  }),
  edit: (v) => ({
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
  full: (v) => ({ args: ["--approval-mode", "yolo", "--include-directories", v.workDir] }),
};
