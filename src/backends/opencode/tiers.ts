/**
 * opencode's `OPENCODE_PERMISSION` rule sets per tier (verified against opencode 1.18.33).
 * See src/backends/tiers.ts for what every tier must grant.
 * @module
 */
import type { TierMapping, TierVars } from "../tiers.ts";

/**
 * opencode's edit rules match the path relative to the project, which for
 * the task folder is `../../…/tasks/<id>/plan.md`: match its tail.
 */
function opencodeTaskPatterns(v: TierVars): Record<string, "allow"> {
  return { [`${v.taskDir}/*`]: "allow", [`*/tasks/${v.taskId}/*`]: "allow" };
}

// OPENCODE_PERMISSION. By default opencode allows everything but files outside the project
// (`external_directory`: "ask"), and `run` auto-rejects every "ask" and exits 0.
/** The flags per tier. */
export const opencodeTiers: TierMapping = {
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
