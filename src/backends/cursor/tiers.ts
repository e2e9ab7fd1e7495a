/**
 * Cursor agent's flags per tier (from its docs only).
 * See src/backends/tiers.ts for what every tier must grant.
 * @module
 */
import type { TierMapping } from "../tiers.ts";

// From Cursor's docs only (no `agent` can run here). Without --force, print mode keeps writes
// inside the workspace and runs only allowlisted or sandboxable shell commands, and no flag
// adds a writable folder: if a worker cannot tick its plan in $DISPATCH_HOME, allow it in
// ~/.cursor/cli-config.json (e.g. `Write(~/.dispatch/**)`, `Shell(dispatch)`) or use `full`.
// Allow/deny rules are not mapped: Cursor's `permissions.allow`/`deny` (`Shell(npm test)`) live in
// ~/.cursor/cli-config.json or the project's .cursor/cli.json, with no flag (docs only).
/** The flags per tier. */
export const cursorTiers: TierMapping = {
  read: () => ({
    args: [],
    unsupported:
      "Cursor agent has no read-only mode that still lets a worker tick its plan and ask: use --tier edit or full",
  }),
  edit: () => ({ args: [] }),
  full: () => ({ args: ["--force"] }),
};
