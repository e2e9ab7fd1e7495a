/**
 * What `dispatch doctor` found, and its text form: one line per check, ✓ or
 * ✗, with the fix on failures; a summary line last.
 * @module
 */

/** One check's outcome. */
export interface CheckResult {
  check:
    | "installed"
    | "version"
    | "authenticated"
    | "headless flags"
    | "built in"
    | "scheduler"
    | "shared home"
    | "on the node";
  ok: boolean;
  /** What was found. */
  detail: string;
  /** The exact fix, for a failure. */
  fix?: string;
  /** Not run because an earlier check failed. */
  skipped?: boolean;
}

/** All checks of one backend. */
export interface BackendReport {
  backend: string;
  /** The adapter (`claude`, `command`, ...). */
  type: string;
  ok: boolean;
  checks: CheckResult[];
}

/** The report of backend `name` (adapter `type`) from its checks. */
export function backendReport(name: string, type: string, checks: CheckResult[]): BackendReport {
  return { backend: name, type, ok: checks.every((c) => c.ok), checks };
}

/** The text report: one line per check, ✓ or ✗, with the fix on failures; a summary line last. */
export function renderDoctor(reports: BackendReport[]): string {
  const nameWidth = Math.max(7, ...reports.map((r) => r.backend.length));
  const lines: string[] = [];
  for (const r of reports) {
    for (const c of r.checks) {
      const mark = c.ok ? "✓" : c.skipped ? "-" : "✗";
      lines.push(
        `${mark} ${r.backend.padEnd(nameWidth)}  ${c.check.padEnd(14)}  ${c.detail}${
          c.fix ? `. Fix: ${c.fix}` : ""
        }`,
      );
    }
  }
  const bad = reports.filter((r) => !r.ok);
  lines.push(
    bad.length === 0
      ? `All ${reports.length} backend(s) ready.`
      : `${reports.length - bad.length} of ${reports.length} backend(s) ready; not ready: ${
        bad.map((r) => r.backend).join(", ")
      }.`,
  );
  return lines.join("\n") + "\n";
}
