/**
 * opencode (`opencode run`) as a worker.
 *
 * - Prompt on stdin: an argv prompt with spaces reaches the model
 *   re-quoted. `--format json` gives JSONL events, each with `sessionID`.
 * - Tiers are an `OPENCODE_PERMISSION` rule set (./tiers.ts). opencode asks
 *   before touching files outside the project, and `run` auto-rejects
 *   every question and exits 0, so every tier allows the task folder.
 * - Report: `sessionID`; usage and cost summed over this run's
 *   `step_finish` events (per step, so no differencing). Input counts cache
 *   reads and writes, output counts reasoning. An auto-rejected permission,
 *   a tool refused by a rule, or an `error` event makes an exit 0 a failure.
 * @module
 */
import type { Event } from "../jsonl.ts";
import { num, obj, oneLine, parseLog, str, sum } from "../jsonl.ts";
import { cliLaunch, executable } from "../launch_common.ts";
import { isRateLimitStatus, looksRateLimited } from "../rate_limit.ts";
import { opencodeTiers } from "./tiers.ts";
import type { BackendAdapter, LaunchInput, LaunchSpec, ReportContext, RunReport } from "../types.ts";
import { roundCost } from "../usage_delta.ts";

function build(input: LaunchInput, extra: string[]): LaunchSpec {
  const head = [executable(input, "opencode"), "run", "--format", "json", "-m", input.spec.modelId];
  return cliLaunch(input, opencodeTiers, head, { extra });
}

/**
 * Tool calls opencode would not run. `run` auto-rejects every permission
 * it would ask for and says so on stderr (`permission requested: X (P);
 * auto-rejecting`); the tool then fails with "rejected permission", so the
 * stderr line is used when present (it names the permission). A `deny`
 * rule fails the tool with "specified a rule which prevents you".
 */
function refusals(events: Event[], text: string[]): string[] {
  const autoRejected: string[] = [];
  for (const line of text) {
    const m = /permission requested: (.+?); auto-rejecting/.exec(line);
    if (m) autoRejected.push(m[1]!);
  }
  const rejected: string[] = [];
  const denied: string[] = [];
  for (const e of events) {
    if (e.type !== "tool_use") continue;
    const part = obj(e.part);
    const state = obj(part.state);
    if (state.status !== "error") continue;
    const error = str(state.error) ?? "";
    const input = obj(state.input);
    const detail = str(input.command) ?? str(input.filePath);
    const what = `${str(part.tool) ?? "tool"}${detail ? ` (${detail})` : ""}`;
    if (/specified a rule which prevents you/i.test(error)) denied.push(what);
    else if (/rejected permission/i.test(error)) rejected.push(what);
  }
  return [...(autoRejected.length > 0 ? autoRejected : rejected), ...denied];
}

/** Reads one `opencode run --format json` run. */
export function reportOpencode(log: string, context: ReportContext = {}): RunReport {
  const { events, text } = parseLog(log);
  const report: RunReport = {};
  const session = str(events.find((e) => typeof e.sessionID === "string")?.sessionID);
  if (session) report.nativeSession = session;
  let input: number | undefined;
  let output: number | undefined;
  let cost: number | undefined;
  for (const e of events) {
    if (e.type !== "step_finish") continue;
    const part = obj(e.part);
    const t = obj(part.tokens);
    const cache = obj(t.cache);
    input = sum(input, num(t.input), num(cache.read), num(cache.write));
    output = sum(output, num(t.output), num(t.reasoning));
    cost = sum(cost, num(part.cost));
  }
  if (input !== undefined || output !== undefined || cost !== undefined) {
    report.usage = {
      ...(input !== undefined ? { inputTokens: input } : {}),
      ...(output !== undefined ? { outputTokens: output } : {}),
      ...(cost !== undefined ? { costUsd: roundCost(cost) } : {}),
    };
  }
  const errors = events.filter((e) => e.type === "error").map((e) => obj(e.error));
  const messages = errors.map((err) => str(obj(err.data).message) ?? str(err.name) ?? "error");
  const refused = refusals(events, text);
  if (errors.length > 0) {
    report.failure = `opencode failed: ${oneLine(messages.at(-1)!)}`;
  } else if (refused.length > 0) {
    // Not fatal by itself: the task fails only if the worker could not finish its plan (finalize).
    report.denied = refused.length;
    report.refusal = `opencode refused ${refused.length} tool call(s): ${
      oneLine(refused.join(", "), 200)
    } (raise the tier, or set OPENCODE_PERMISSION in backends.opencode.env)`;
  } else if (!events.some((e) => e.type === "step_finish")) {
    report.failure = events.length === 0
      ? "opencode printed no JSON events (see 'dispatch logs')"
      : "opencode ended before finishing a step (see 'dispatch logs')";
  }
  const failed = (context.code ?? 0) !== 0 || errors.length > 0;
  const limited = errors.some((err) => isRateLimitStatus(obj(err.data).statusCode)) ||
    looksRateLimited([...messages, ...text]);
  if (failed && limited) report.rateLimited = true;
  return report;
}

/** The `opencode` backend. */
export const opencodeBackend: BackendAdapter = {
  name: "opencode",
  launch: (input) => build(input, []),
  resume: (input, nativeSession) => build(input, ["--session", nativeSession]),
  report: reportOpencode,
};
