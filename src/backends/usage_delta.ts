/**
 * Per-run figures from CLIs that report running totals. codex
 * (`turn.completed.usage`), qwen (`result.usage`) and claude's cost
 * (`total_cost_usd`) count over the whole resumed session, so the second
 * run of a task would otherwise be counted twice. We subtract the last
 * total the same session printed in an earlier run of the task.
 * @module
 */
import type { Usage } from "../store/tasks.ts";

/**
 * `current - earlier`, field by field. When a field went down (the session
 * was not the same after all, or the CLI reset it) the current figure is
 * taken as is rather than reporting a negative number.
 */
export function usageSince(current: Usage, earlier: Usage | undefined): Usage {
  if (!earlier) return current;
  const minus = (c?: number, e?: number) =>
    c === undefined ? undefined : e === undefined || e > c ? c : c - e;
  const out: Usage = {};
  const input = minus(current.inputTokens, earlier.inputTokens);
  const output = minus(current.outputTokens, earlier.outputTokens);
  const cost = minus(current.costUsd, earlier.costUsd);
  if (input !== undefined) out.inputTokens = input;
  if (output !== undefined) out.outputTokens = output;
  if (cost !== undefined) out.costUsd = roundCost(cost);
  return out;
}

/** Rounds away float noise (0.000368 - 0.000184 = 0.00018399999999999997). */
export function roundCost(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}
