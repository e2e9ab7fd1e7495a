/**
 * A task's effective shell rules, worked out once at start and stored in
 * its spec: in `edit`, the default read-only set and the test commands the
 * plan names; then `permissions` at the top of config.yaml, under the
 * alias, in the project's `.dispatch.yaml` (edit only for its allows), and
 * the `--allow`/`--deny` flags. Deny rules from every source are kept in
 * every tier, and win over any allow.
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { Tier } from "../tier.ts";
import { DEFAULT_EDIT_ALLOW, mergeRules, type Rules } from "../rules.ts";
import { testCommandRules } from "../plan/test_commands.ts";
import { loadProjectRules } from "../config/project_file.ts";

/** What decides a task's rules. */
export interface RuleSources {
  tier: Tier;
  plan: string;
  config: Config;
  alias?: string;
  /** The repository root, where `.dispatch.yaml` is looked for. */
  project: string;
  /** From `--allow` and `--deny` (already checked). */
  flags?: Partial<Rules>;
  /** A worktree task: in `edit` its worker may also commit on its own branch, as its prompt asks. */
  worktree?: boolean;
}

/** What a worktree task's `edit` worker may run besides the default set. */
export const WORKTREE_EDIT_ALLOW: readonly string[] = Object.freeze(["git add *", "git commit *"]);

/** The effective rules; undefined when there are none at all. */
export async function taskRules(s: RuleSources): Promise<Rules | undefined> {
  const project = await loadProjectRules(s.project);
  const worktree = s.worktree ? WORKTREE_EDIT_ALLOW : [];
  const defaults = s.tier === "edit"
    ? { allow: [...DEFAULT_EDIT_ALLOW, ...worktree, ...testCommandRules(s.plan)] }
    : {};
  const rules = mergeRules(
    defaults,
    s.config.permissions,
    s.alias ? s.config.aliases[s.alias]?.permissions : undefined,
    s.tier === "edit" ? project : { deny: project?.deny },
    s.flags,
  );
  return rules.allow.length + rules.deny.length === 0 ? undefined : rules;
}
