/**
 * Claude Code's permission flags per tier (verified against claude 2.1.330).
 * See src/backends/tiers.ts for what every tier must grant.
 * @module
 */
import type { TierMapping } from "../tiers.ts";

/** Claude Code rules take `//abs/path` for an absolute path (a single `/` is relative to the settings file). */
function claudePath(path: string): string {
  return `/${path}`;
}

/** The flags per tier. */
export const claudeTiers: TierMapping = {
  // `default` mode denies anything not allowed in -p; read-only tools and read-only
  // shell commands (cat, ls, grep) inside the working dirs run without a rule.
  read: (v) => ({
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
    ],
  }),
  // acceptEdits: edits (and sed/touch/mkdir-style file commands) in the working dirs;
  // --add-dir makes the task folder one of them. Other shell commands stay denied.
  edit: (v) => ({
    args: [
      "--permission-mode",
      "acceptEdits",
      "--add-dir",
      v.workDir,
      "--allowedTools",
      `Bash(${v.bin} ask:*)`,
    ],
  }),
  // Refused as root unless IS_SANDBOX=1 is in the environment (set it in backends.claude.env).
  full: (v) => ({ args: ["--dangerously-skip-permissions", "--add-dir", v.workDir] }),
};
