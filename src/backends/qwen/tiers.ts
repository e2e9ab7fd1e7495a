/**
 * Qwen Code's approval modes and tool rules per tier (verified against qwen 0.24.4).
 * See src/backends/tiers.ts for what every tier must grant.
 * @module
 */
import type { TierMapping } from "../tiers.ts";

// qwen denies shell, edit and write_file by name in headless default mode unless an
// --allowed-tools rule names them; path rules use `//abs` like Claude's.
/** The flags per tier. */
export const qwenTiers: TierMapping = {
  read: (v) => ({
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
    ],
  }),
  edit: (v) => ({
    args: [
      "--approval-mode",
      "auto-edit",
      "--allowed-tools",
      `run_shell_command(${v.bin} ask)`,
      "--include-directories",
      v.workDir,
    ],
  }),
  full: (v) => ({ args: ["--approval-mode", "yolo", "--include-directories", v.workDir] }),
};
