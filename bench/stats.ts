/**
 * Percentiles and a fixed-width row for benchmark output.
 * @module
 */

/** The q-quantile (0..1) of `samples` by nearest rank. */
export function quantile(samples: number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Summary of a sample set in milliseconds. */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

/** Summarises samples. */
export function summarize(samples: number[]): Summary {
  return {
    n: samples.length,
    p50: quantile(samples, 0.5),
    p95: quantile(samples, 0.95),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

/** One printed line: name, p50, p95, budget verdict. */
export function row(name: string, s: Summary, budget?: { p50?: number; p95?: number }): string {
  const verdict = budget
    ? ((budget.p50 === undefined || s.p50 <= budget.p50) && (budget.p95 === undefined || s.p95 <= budget.p95)
      ? "within budget"
      : "OVER budget")
    : "";
  const b = budget
    ? ` (budget${budget.p50 !== undefined ? ` p50≤${budget.p50}` : ""}${
      budget.p95 !== undefined ? ` p95≤${budget.p95}` : ""
    } ms: ${verdict})`
    : "";
  return `${name.padEnd(44)} p50 ${s.p50.toFixed(1).padStart(7)} ms  p95 ${
    s.p95.toFixed(1).padStart(7)
  } ms  n=${s.n}${b}`;
}
