/**
 * Qwen Code (`qwen`) as a worker.
 *
 * - Prompt on stdin (with no prompt argument a non-terminal stdin is the
 *   prompt and the run is one-shot), `-o stream-json` (Claude-style events).
 * - `QWEN_CODE_NO_RELAUNCH=true`: qwen otherwise starts a second node
 *   process only to raise its heap limit; the wrapper dies on SIGTERM and
 *   leaves that child running, and the extra start costs seconds.
 * - Tiers: an approval mode plus `--allowed-tools` rules for `dispatch ask`
 *   and the task folder (./tiers.ts).
 * - Report: `session_id`; usage from `result.usage`, which is the running
 *   total of the session (and includes qwen's own background memory calls),
 *   so the total the same session printed in an earlier run is subtracted.
 *   No cost. `is_error` or `permission_denials` make an exit 0 a failure.
 * @module
 */
import type { Usage } from "../../store/tasks.ts";
import type { Event } from "../jsonl.ts";
import { allowHint } from "../allow_hint.ts";
import { arr, num, obj, oneLine, parseLog, str } from "../jsonl.ts";
import { cliLaunch, executable } from "../launch_common.ts";
import { looksRateLimited } from "../rate_limit.ts";
import { qwenTiers } from "./tiers.ts";
import type { BackendAdapter, LaunchInput, LaunchSpec, ReportContext, RunReport } from "../types.ts";
import { usageSince } from "../usage_delta.ts";

function build(input: LaunchInput, extra: string[]): LaunchSpec {
  const head = [executable(input, "qwen"), "-m", input.spec.modelId, "-o", "stream-json"];
  return cliLaunch(input, qwenTiers, head, { extra, env: { QWEN_CODE_NO_RELAUNCH: "true" } });
}

function sessionOf(events: Event[]): string | undefined {
  return str(events.findLast((e) => e.type === "result")?.session_id) ??
    str(events.find((e) => typeof e.session_id === "string")?.session_id);
}

/** The last running total per session. */
function sessionTotals(events: Event[]): Map<string, Usage> {
  const totals = new Map<string, Usage>();
  for (const e of events) {
    const id = str(e.session_id);
    if (e.type !== "result" || !id) continue;
    const u = obj(e.usage);
    totals.set(id, { inputTokens: num(u.input_tokens), outputTokens: num(u.output_tokens) });
  }
  return totals;
}

function describeDenials(denials: unknown[]): string {
  return oneLine(
    denials.map((d) => {
      const o = obj(d);
      const input = obj(o.tool_input);
      const detail = str(input.command) ?? str(input.file_path);
      return `${str(o.tool_name) ?? "?"}${detail ? `(${detail})` : ""}`;
    }).join(", "),
    200,
  );
}

/** Reads one `qwen -o stream-json` run. */
export function reportQwen(log: string, context: ReportContext = {}): RunReport {
  const { events, text } = parseLog(log);
  const report: RunReport = {};
  const session = sessionOf(events);
  if (session) report.nativeSession = session;
  const result = events.findLast((e) => e.type === "result");
  const total = session ? sessionTotals(events).get(session) : undefined;
  if (total) {
    report.usage = usageSince(total, sessionTotals(parseLog(context.earlierLog ?? "").events).get(session!));
  }
  if (result) {
    const denials = arr(result.permission_denials);
    if (result.is_error === true) {
      report.failure = `Qwen ended with an error (${str(result.subtype) ?? "error"}): ${
        oneLine(str(result.result) ?? str(obj(result.error).message) ?? "no message")
      }`;
    } else if (denials.length > 0) {
      // Not fatal by itself: the task fails only if the worker could not finish its plan (finalize).
      report.denied = denials.length;
      report.refusal = `Qwen was refused ${denials.length} tool call(s): ${describeDenials(denials)} ${
        allowHint(
          denials.map((d) => str(obj(obj(d).tool_input).command)),
          "raise the tier, or allow them with --allowed-tools in backends.qwen.args",
        )
      }`;
    }
  } else {
    report.failure = events.length === 0
      ? "Qwen printed no JSON events (see 'dispatch logs')"
      : "Qwen ended without a result event (see 'dispatch logs')";
  }
  const failed = (context.code ?? 0) !== 0 || result === undefined || result.is_error === true;
  const messages = [str(result?.result), str(obj(result?.error).message), ...text];
  if (failed && looksRateLimited(messages)) report.rateLimited = true;
  return report;
}

/** The `qwen` backend. */
export const qwenBackend: BackendAdapter = {
  name: "qwen",
  launch: (input) => build(input, []),
  resume: (input, nativeSession) => build(input, ["--resume", nativeSession]),
  report: reportQwen,
};
