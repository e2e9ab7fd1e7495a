/**
 * For a CLI with no permission relay (gemini, qwen): the rule that would
 * have let a refused call run, named in the failure, so the user can start
 * the task again with it instead of raising the tier.
 * @module
 */
import { ruleProblem } from "../rules.ts";

/**
 * `(allow it with --allow 'cmd', or raise the tier)` for the refused
 * commands that are valid rules (at most three), else `(fallback)`.
 */
export function allowHint(commands: (string | undefined)[], fallback: string): string {
  const rules = [...new Set(commands.map((c) => c?.trim()).filter((c): c is string => !!c))]
    .filter((c) => ruleProblem("allow", c) === undefined).slice(0, 3);
  if (rules.length === 0) return `(${fallback})`;
  return `(allow ${rules.length === 1 ? "it" : "them"} with ${
    rules.map((r) => `--allow '${r}'`).join(" ")
  }, or raise the tier)`;
}
