/**
 * Codex's sandbox overrides per tier (verified against codex 0.169.0).
 * See src/backends/tiers.ts for what every tier must grant.
 * @module
 */
import { tomlString as toml } from "../escape.ts";
import type { TierMapping } from "../tiers.ts";

// Allow/deny rules are not mapped: codex has no flag for command rules (its execpolicy
// `.rules` files live in CODEX_HOME or the project, not on the command line), and its sandbox
// governs instead: in read and edit any command runs, but inside the sandbox's file limits. (In
// read and edit the relay, src/cli/codex_relay_ask.ts, asks for every escalation but an `always` grant.)
// `-c` overrides, because `codex exec resume` accepts neither -s nor --add-dir.
/** The flags per tier. */
export const codexTiers: TierMapping = {
  // A permission profile: read-only like `-s read-only`, plus writes to the task's own folder only
  // (not the journal, other tasks or sessions: the supervisor journals what appears there).
  // (A `sandbox_mode` in the user's own config.toml takes precedence over profiles.)
  read: (v) => ({
    args: [
      "-c",
      'default_permissions="dispatch_read"',
      "-c",
      `permissions.dispatch_read={extends=":read-only", filesystem={${toml(v.workDir)}="write"}}`,
    ],
  }),
  // `:workspace` (the project writable, as `-s workspace-write`) with $DISPATCH_HOME read-only but for the
  // task's folder: the more specific path wins, so a home under /tmp or the project is covered too.
  edit: (v) => ({
    args: [
      "-c",
      'default_permissions="dispatch_edit"',
      "-c",
      `permissions.dispatch_edit={extends=":workspace", filesystem={${toml(v.home)}="read", ${
        toml(v.workDir)
      }="write"}}`,
    ],
  }),
  full: () => ({ args: ["-c", 'sandbox_mode="danger-full-access"'] }),
};
