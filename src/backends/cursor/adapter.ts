/**
 * Cursor's CLI (`agent`, formerly `cursor-agent`) as a worker. Written from
 * Cursor's documentation only: no `agent` can run offline (its models are
 * behind Cursor's own service), so it is tested with a fake executable that
 * replays the documented stream-json format (test/fixtures/cursor/).
 *
 * - `agent -p` (print mode), prompt on stdin, `--output-format stream-json`,
 *   `--trust` (headless runs cannot answer the workspace-trust prompt),
 *   `--workspace <cwd>`.
 * - Tiers: `edit` is print mode's own default (edits inside the workspace,
 *   allowlisted or sandboxable shell commands), `full` adds `--force`; there
 *   is no `read` tier that still lets a worker tick its plan (./tiers.ts).
 * - Report: `session_id`; usage from `result.usage` (camelCase
 *   `inputTokens`/`outputTokens`/`cacheReadTokens`/`cacheWriteTokens`, or
 *   the same names at the top level in some builds), no cost.
 * @module
 */
import { num, obj, oneLine, parseLog, str, sum } from "../jsonl.ts";
import { cliLaunch, executable } from "../launch_common.ts";
import { looksRateLimited } from "../rate_limit.ts";
import { cursorTiers } from "./tiers.ts";
import type { BackendAdapter, LaunchInput, LaunchSpec, ReportContext, RunReport } from "../types.ts";

function build(input: LaunchInput, extra: string[]): LaunchSpec {
  const head = [executable(input, "agent"), "-p", "--output-format", "stream-json", "--trust"];
  return cliLaunch(input, cursorTiers, [
    ...head,
    "--workspace",
    input.spec.cwd,
    "--model",
    input.spec.modelId,
  ], {
    extra,
  });
}

/** Reads one `agent -p --output-format stream-json` run. */
export function reportCursor(log: string, context: ReportContext = {}): RunReport {
  const { events, text } = parseLog(log);
  const report: RunReport = {};
  const result = events.findLast((e) => e.type === "result");
  const session = str(result?.session_id) ??
    str(events.find((e) => typeof e.session_id === "string")?.session_id);
  if (session) report.nativeSession = session;
  if (result) {
    const u = { ...result, ...obj(result.usage) };
    const input = sum(num(u.inputTokens), num(u.cacheReadTokens), num(u.cacheWriteTokens));
    const output = num(u.outputTokens);
    if (input !== undefined || output !== undefined) {
      report.usage = {
        ...(input !== undefined ? { inputTokens: input } : {}),
        ...(output !== undefined ? { outputTokens: output } : {}),
      };
    }
    if (result.is_error === true || (str(result.subtype) ?? "success") !== "success") {
      report.failure = `Cursor agent ended with an error (${str(result.subtype) ?? "error"}): ${
        oneLine(str(result.result) ?? "no message")
      }`;
    }
  } else {
    // Documented: on failure the stream may end early with the message on stderr.
    report.failure = text.length > 0
      ? `Cursor agent ended without a result: ${oneLine(text.at(-1)!)}`
      : "Cursor agent printed no result (see 'dispatch logs')";
  }
  const failed = (context.code ?? 0) !== 0 || !result || result.is_error === true;
  if (failed && looksRateLimited([str(result?.result), ...text])) report.rateLimited = true;
  return report;
}

/** The `cursor` backend (`agent`). */
export const cursorBackend: BackendAdapter = {
  name: "cursor",
  launch: (input) => build(input, []),
  resume: (input, nativeSession) => build(input, ["--resume", nativeSession]),
  report: reportCursor,
};
