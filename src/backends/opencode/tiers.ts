/**
 * opencode's `OPENCODE_PERMISSION` rule sets per tier (verified against opencode 1.18.33).
 * See src/backends/tiers.ts for what every tier must grant.
 * @module
 */
import type { TierMapping, TierVars } from "../tiers.ts";
import { WORK_FOLDER } from "../../store/paths.ts";

/**
 * opencode's edit rules match the path relative to the project, which for
 * the task folder is `../../…/tasks/<id>/work/plan.md`: match its tail.
 */
function opencodeTaskPatterns(v: TierVars): Record<string, "allow"> {
  return { [`${v.workDir}/*`]: "allow", [`*/tasks/${v.taskId}/${WORK_FOLDER}/*`]: "allow" };
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
        external_directory: { [`${v.workDir}/*`]: "allow" },
      }),
    },
  }),
  // opencode runs shell commands unsandboxed, so in edit they are denied but `ask`: a free shell could
  // write anywhere the user can (the journal, other tasks). Edits stay free inside the project.
  edit: (v) => ({
    args: [],
    env: {
      OPENCODE_PERMISSION: JSON.stringify({
        bash: { "*": "deny", [`${v.bin} ask *`]: "allow" },
        external_directory: { [`${v.workDir}/*`]: "allow" },
      }),
    },
  }),
  full: () => ({ args: [], env: { OPENCODE_PERMISSION: JSON.stringify({ "*": "allow" }) } }),
};
