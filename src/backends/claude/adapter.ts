/**
 * Claude Code (`claude -p`) as a worker.
 *
 * - Prompt on stdin (`claude -p` reads it when no prompt argument is given),
 *   stream-json output (needs `--verbose` with -p).
 * - The variables a surrounding Claude Code session puts in its Bash tool's
 *   environment are removed, so `dispatch start` run by the host can launch
 *   `claude -p` workers (see {@linkcode CLAUDE_NESTING_ENV}).
 * - Report: `session_id`; usage from the `result` event: this run's tokens
 *   (input counts cache reads and writes), and `total_cost_usd`, which is
 *   cumulative over a resumed session, minus the cost the same session
 *   printed in an earlier run. An exit 0 whose result is an error is a
 *   failure; `permission_denials` are counted (the run may still be done),
 *   and a `tool_deferred` stop is a run waiting on a permission.
 * - In `read` and `edit` a PreToolUse hook relays permissions
 *   (`permission_settings.ts`).
 * @module
 */
import type { Event } from "../jsonl.ts";
import { arr, num, obj, oneLine, parseLog, str, sum } from "../jsonl.ts";
import { cliLaunch, executable } from "../launch_common.ts";
import { isRateLimitStatus, looksRateLimited } from "../rate_limit.ts";
import { CLAUDE_NESTING_ENV } from "./nesting_env.ts";
import { claudeTiers } from "./tiers.ts";
import { permissionHookFlags } from "./permission_settings.ts";
import type { BackendAdapter, LaunchInput, LaunchSpec, ReportContext, RunReport } from "../types.ts";
import { roundCost, usageSince } from "../usage_delta.ts";

function build(input: LaunchInput, extra: string[]): LaunchSpec {
  const head = [executable(input, "claude"), "-p", "--output-format", "stream-json", "--verbose"];
  const hook = permissionHookFlags(input.tier, input.bin ?? "dispatch");
  return {
    ...cliLaunch(input, claudeTiers, [...head, "--model", input.spec.modelId], {
      extra: [...hook, ...extra],
    }),
    unsetEnv: [...CLAUDE_NESTING_ENV],
  };
}

/** The last `result` event, and the session id (from it or from `system/init`). */
function resultOf(events: Event[]): { result?: Event; session?: string } {
  const result = events.findLast((e) => e.type === "result");
  const session = str(result?.session_id) ?? str(events.find((e) => e.type === "system")?.session_id);
  return { result, session };
}

function describeDenials(denials: unknown[]): string {
  const names = denials.map((d) => {
    const o = obj(d);
    const input = obj(o.tool_input);
    const detail = str(input.command) ?? str(input.file_path) ?? str(input.path);
    return detail ? `${str(o.tool_name) ?? "?"}(${detail})` : str(o.tool_name) ?? "?";
  });
  return oneLine(names.join(", "), 200);
}

/** Reads one `claude -p --output-format stream-json` run. */
export function reportClaude(log: string, context: ReportContext = {}): RunReport {
  const { events, text } = parseLog(log);
  const { result, session } = resultOf(events);
  const report: RunReport = {};
  if (session) report.nativeSession = session;
  if (result) {
    const u = obj(result.usage);
    const earlier = session
      ? resultOf(parseLog(context.earlierLog ?? "").events.filter((e) => e.session_id === session)).result
      : undefined;
    const cost = num(result.total_cost_usd);
    const costNow = cost === undefined
      ? undefined
      : usageSince({ costUsd: cost }, { costUsd: num(earlier?.total_cost_usd) }).costUsd;
    report.usage = {
      inputTokens: sum(
        num(u.input_tokens),
        num(u.cache_creation_input_tokens),
        num(u.cache_read_input_tokens),
      ),
      outputTokens: num(u.output_tokens),
      ...(costNow !== undefined ? { costUsd: roundCost(costNow) } : {}),
    };
    const denials = arr(result.permission_denials);
    if (denials.length > 0) report.denied = denials.length;
    const deferred = obj(result.deferred_tool_use);
    if (result.stop_reason === "tool_deferred" && str(deferred.id)) {
      const command = str(obj(deferred.input).command);
      report.deferred = {
        call: str(deferred.id)!,
        tool: str(deferred.name) ?? "?",
        ...(command ? { command } : {}),
      };
    }
    if (result.is_error === true) {
      const subtype = str(result.subtype);
      report.failure = `Claude ended with an error${
        subtype && subtype !== "success" ? ` (${subtype})` : ""
      }: ${oneLine(str(result.result) ?? str(result.terminal_reason) ?? "no message")}${
        denials.length > 0 ? `; it was refused ${describeDenials(denials)}` : ""
      }`;
    }
    const failed = result.is_error === true || (context.code ?? 0) !== 0;
    if (failed && (isRateLimitStatus(result.api_error_status) || looksRateLimited([str(result.result)]))) {
      report.rateLimited = true;
    }
  } else {
    const rootRefusal = text.find((l) => /cannot be used with root\/sudo privileges/.test(l));
    if (rootRefusal) {
      report.failure =
        "Claude refuses --dangerously-skip-permissions as root: use --tier edit, or set IS_SANDBOX=1 in backends.claude.env on a sandboxed machine";
    } else {
      report.failure = events.length === 0
        ? "Claude printed no JSON events (see 'dispatch logs')"
        : "Claude ended without a result event (see 'dispatch logs')";
    }
    if ((context.code ?? 0) !== 0 && looksRateLimited(text)) report.rateLimited = true;
  }
  return report;
}

/** The `claude` backend. */
export const claudeBackend: BackendAdapter = {
  name: "claude",
  launch: (input) => build(input, []),
  resume: (input, nativeSession) => build(input, ["--resume", nativeSession]),
  report: reportClaude,
};
