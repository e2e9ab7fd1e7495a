/**
 * opencode's `OPENCODE_PERMISSION` rule sets per tier (verified against opencode 1.18.33).
 * See src/backends/tiers.ts for what every tier must grant.
 * @module
 */
import type { TierMapping, TierVars } from "../tiers.ts";
import { WORK_FOLDER } from "../../store/paths.ts";
import { ruleParts, type Rules } from "../../rules.ts";
import type { StatePath } from "../../proc/confine.ts";

/** Where opencode keeps its own state: writable in a confined run (src/proc/confine.ts). */
const OPENCODE_STATE: StatePath[] = [
  { under: "XDG_DATA_HOME", path: "opencode" },
  { under: "XDG_CONFIG_HOME", path: "opencode" },
  { under: "XDG_CACHE_HOME", path: "opencode" },
  { under: "XDG_STATE_HOME", path: "opencode" },
];

/**
 * opencode's edit rules match the path relative to the project, which for
 * the task folder is `../../…/tasks/<id>/work/plan.md`: match its tail.
 */
function opencodeTaskPatterns(v: TierVars): Record<string, "allow"> {
  return { [`${v.workDir}/*`]: "allow", [`*/tasks/${v.taskId}/${WORK_FOLDER}/*`]: "allow" };
}

/** A rule as opencode bash patterns: `npm test`; `git diff` and `git diff *` for a prefix rule. */
function opencodePatterns(rule: string): string[] {
  const { command, prefix } = ruleParts(rule);
  return prefix ? [command, `${command} *`] : [command];
}

/**
 * The `bash` rule set: `base` first, then the allow rules, then the deny rules. opencode applies the
 * last pattern that matches, so a deny, moved to the end, wins over any allow.
 */
export function opencodeBash(base: Record<string, string>, rules: Rules): Record<string, string> {
  const out: Record<string, string> = { ...base };
  for (const r of rules.allow) for (const p of opencodePatterns(r)) out[p] = "allow";
  for (const r of rules.deny) {
    for (const p of opencodePatterns(r)) {
      delete out[p];
      out[p] = "deny";
    }
  }
  return out;
}

// OPENCODE_PERMISSION. By default opencode allows everything but files outside the project
// (`external_directory`: "ask"), and `run` auto-rejects every "ask" and exits 0.
/** The flags per tier. */
export const opencodeTiers: TierMapping = {
  read: (v) => ({
    confine: OPENCODE_STATE,
    args: [],
    env: {
      OPENCODE_PERMISSION: JSON.stringify({
        edit: { "*": "deny", ...opencodeTaskPatterns(v) },
        bash: opencodeBash({ "*": "deny", [`${v.bin} ask *`]: "allow" }, v.rules),
        external_directory: { [`${v.workDir}/*`]: "allow" },
      }),
    },
  }),
  // opencode runs shell commands unsandboxed, so in edit they are denied but `ask`: a free shell could
  // write anywhere the user can (the journal, other tasks). Edits stay free inside the project.
  edit: (v) => ({
    confine: OPENCODE_STATE,
    args: [],
    env: {
      OPENCODE_PERMISSION: JSON.stringify({
        bash: opencodeBash({ "*": "deny", [`${v.bin} ask *`]: "allow" }, v.rules),
        external_directory: { [`${v.workDir}/*`]: "allow" },
      }),
    },
  }),
  // The task's deny rules, if any, still apply to the shell.
  full: (v) => ({
    args: [],
    env: {
      OPENCODE_PERMISSION: JSON.stringify(
        v.rules.deny.length === 0
          ? { "*": "allow" }
          : { "*": "allow", bash: opencodeBash({ "*": "allow" }, { allow: [], deny: v.rules.deny }) },
      ),
    },
  }),
};
