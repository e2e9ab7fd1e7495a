/**
 * Usage totals for the status board's footer: tokens and cost summed over
 * tasks. Not every CLI reports a cost (codex, gemini and qwen print none), so
 * the total cost says how many tasks it covers instead of passing a partial
 * sum off as the whole. Pure.
 * @module
 */
import type { Usage } from "../store/tasks.ts";

/** Sums over a set of tasks. */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Tasks counted. */
  tasks: number;
  /** Tasks that reported any token figure. */
  withTokens: number;
  /** Tasks that reported a cost. */
  withCost: number;
}

function finite(n: number | undefined): n is number {
  return typeof n === "number" && Number.isFinite(n) && n >= 0;
}

/** Sums the usage of each task (`undefined` for a task that reported none). */
export function sumUsage(usages: readonly (Usage | undefined)[]): UsageTotals {
  const t: UsageTotals = {
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    tasks: usages.length,
    withTokens: 0,
    withCost: 0,
  };
  for (const u of usages) {
    if (!u) continue;
    if (finite(u.inputTokens) || finite(u.outputTokens)) t.withTokens++;
    if (finite(u.inputTokens)) t.inputTokens += u.inputTokens;
    if (finite(u.outputTokens)) t.outputTokens += u.outputTokens;
    if (finite(u.costUsd)) {
      t.costUsd += u.costUsd;
      t.withCost++;
    }
  }
  // cost sums of many small floats: keep 6 decimals, as the CLIs print
  t.costUsd = Math.round(t.costUsd * 1e6) / 1e6;
  return t;
}

/** Groups digits: 12345 -> "12,345". */
function count(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * The footer line, e.g. `Total: 12,345 in / 3,210 out tokens (3 of 4 tasks); $0.1234 (2 tasks report cost)`;
 * "" when no task reported any usage.
 */
export function renderUsageTotals(t: UsageTotals): string {
  if (t.withTokens === 0 && t.withCost === 0) return "";
  const parts: string[] = [];
  if (t.withTokens > 0) {
    const of = t.withTokens === t.tasks
      ? `${t.tasks} task${t.tasks === 1 ? "" : "s"}`
      : `${t.withTokens} of ${t.tasks} tasks`;
    parts.push(`${count(t.inputTokens)} in / ${count(t.outputTokens)} out tokens (${of})`);
  }
  if (t.withCost > 0) {
    const of = t.withCost === t.tasks ? "" : ` (${t.withCost} of ${t.tasks} tasks report cost)`;
    parts.push(`$${t.costUsd.toFixed(4)}${of}`);
  }
  return `Total: ${parts.join("; ")}`;
}

/** The totals as the stable JSON shape of `status --json` (snake_case, nulls for nothing reported). */
export function usageTotalsJson(t: UsageTotals) {
  return {
    input_tokens: t.withTokens > 0 ? t.inputTokens : null,
    output_tokens: t.withTokens > 0 ? t.outputTokens : null,
    cost_usd: t.withCost > 0 ? t.costUsd : null,
    tasks: t.tasks,
    tasks_with_tokens: t.withTokens,
    tasks_with_cost: t.withCost,
  };
}
