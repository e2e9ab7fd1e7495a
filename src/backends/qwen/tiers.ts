/**
 * Qwen Code's approval modes and tool rules per tier (verified against qwen 0.24.4).
 * See src/backends/tiers.ts for what every tier must grant.
 * @module
 */
import type { TierMapping } from "../tiers.ts";
import type { Rules } from "../../rules.ts";
import type { StatePath } from "../../proc/confine.ts";

/** Where qwen keeps its own state: writable in a confined run (src/proc/confine.ts). */
const QWEN_STATE: StatePath[] = [{ under: "HOME", path: ".qwen" }];

// qwen denies shell, edit and write_file by name in headless default mode unless an
// --allowed-tools rule names them; path rules use `//abs` like Claude's.
/**
 * The task's rules as flags: `--allowed-tools 'run_shell_command(npm test)'` per allow rule (unless
 * `denyOnly`), `--exclude-tools 'run_shell_command(git push *)'` per deny rule (qwen adds those to
 * `permissions.deny`, checked before any allow). qwen has no exact form: `run_shell_command(npm test)`
 * also matches `npm test` with more arguments (verified in qwen 0.24.4's matcher); `git diff *` is
 * `git diff` with or without more, as ours. Each part of a compound command is checked.
 */
export function qwenRuleFlags(rules: Rules, denyOnly = false): string[] {
  return [
    ...(denyOnly ? [] : rules.allow.flatMap((r) => ["--allowed-tools", `run_shell_command(${r})`])),
    ...rules.deny.flatMap((r) => ["--exclude-tools", `run_shell_command(${r})`]),
  ];
}

/** The flags per tier. */
export const qwenTiers: TierMapping = {
  read: (v) => ({
    confine: QWEN_STATE,
    args: [
      "--approval-mode",
      "default",
      "--allowed-tools",
      `run_shell_command(${v.bin} ask)`,
      "--allowed-tools",
      `edit(/${v.workDir}/**)`,
      "--allowed-tools",
      `write_file(/${v.workDir}/**)`,
      "--include-directories",
      v.workDir,
      ...qwenRuleFlags(v.rules),
    ],
  }),
  edit: (v) => ({
    confine: QWEN_STATE,
    args: [
      "--approval-mode",
      "auto-edit",
      "--allowed-tools",
      `run_shell_command(${v.bin} ask)`,
      "--include-directories",
      v.workDir,
      ...qwenRuleFlags(v.rules),
    ],
  }),
  full: (v) => ({
    args: ["--approval-mode", "yolo", "--include-directories", v.workDir, ...qwenRuleFlags(v.rules, true)],
  }),
};
