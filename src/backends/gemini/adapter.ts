/**
 * Google Gemini CLI (`gemini`) as a worker.
 *
 * - Prompt on stdin (with no `-p`, a non-terminal stdin is the prompt and
 *   the run is headless), `-o stream-json`, `--skip-trust` (headless runs
 *   in an untrusted folder otherwise exit 55).
 * - `GEMINI_CLI_NO_RELAUNCH=true`: the relaunching wrapper ignores SIGTERM
 *   and does not forward it, so a cancel would not reach the real process.
 * - Tiers use an approval mode plus a policy file in the task folder that
 *   allows `dispatch ask` and writes to the task folder (./tiers.ts).
 * - Report: `init.session_id`; usage from `result.stats` (this run). A run
 *   whose result is an error, or whose tool calls the policy refused, is a
 *   failure even with exit 0.
 * @module
 */
import type { Event } from "../jsonl.ts";
import { allowHint } from "../allow_hint.ts";
import { num, obj, oneLine, parseLog, str } from "../jsonl.ts";
import { cliLaunch, executable } from "../launch_common.ts";
import { isRateLimitStatus, looksRateLimited } from "../rate_limit.ts";
import { geminiTiers } from "./tiers.ts";
import type { BackendAdapter, LaunchInput, LaunchSpec, ReportContext, RunReport } from "../types.ts";

function build(input: LaunchInput, extra: string[]): LaunchSpec {
  const head = [executable(input, "gemini"), "-m", input.spec.modelId, "-o", "stream-json", "--skip-trust"];
  return cliLaunch(input, geminiTiers, head, { extra, env: { GEMINI_CLI_NO_RELAUNCH: "true" } });
}

/**
 * Error messages: `error` events, a `result` with an `error`, and the error
 * JSON (`{session_id, error: {type, message, code}}`) of `-o json` on stderr.
 */
function errorsOf(events: Event[]): { messages: string[]; rateLimited: boolean } {
  const messages: string[] = [];
  let rateLimited = false;
  for (const e of events) {
    if (e.type === "tool_result") continue; // a failed tool is the model's business
    const err = e.type === "error" ? { ...obj(e.error), ...e } : obj(e.error);
    if (Object.keys(err).length === 0) continue;
    const message = str(err.message) ?? str(err.type);
    if (message) messages.push(message);
    if (isRateLimitStatus(err.code) || isRateLimitStatus(err.status)) rateLimited = true;
  }
  return { messages, rateLimited };
}

/** Reads one `gemini -o stream-json` run. */
export function reportGemini(log: string, context: ReportContext = {}): RunReport {
  const { events, text } = parseLog(log);
  const report: RunReport = {};
  const session = str(events.find((e) => e.type === "init")?.session_id) ??
    str(events.find((e) => typeof e.session_id === "string")?.session_id);
  if (session) report.nativeSession = session;
  const result = events.findLast((e) => e.type === "result");
  if (result) {
    const stats = obj(result.stats);
    report.usage = { inputTokens: num(stats.input_tokens), outputTokens: num(stats.output_tokens) };
  }
  const refused = events.filter((e) => e.type === "tool_result" && obj(e.error).type === "policy_violation");
  const errors = errorsOf(events);
  if (result && str(result.status) !== "success") {
    report.failure = `Gemini ended with status '${str(result.status) ?? "?"}': ${
      oneLine(errors.messages.at(-1) ?? "no message")
    }`;
  } else if (!result) {
    report.failure = errors.messages.length > 0
      ? `Gemini failed: ${oneLine(errors.messages.at(-1)!)}`
      : events.length === 0
      ? "Gemini printed no JSON events (see 'dispatch logs')"
      : "Gemini ended without a result event (see 'dispatch logs')";
  } else if (refused.length > 0) {
    const uses = refused.map((e) => events.find((u) => u.type === "tool_use" && u.tool_id === e.tool_id));
    const tools = uses.map((use) => {
      const cmd = str(obj(use?.parameters).command) ?? str(obj(use?.parameters).file_path);
      return `${str(use?.tool_name) ?? "tool"}${cmd ? `(${cmd})` : ""}`;
    });
    // Not fatal by itself: the task fails only if the worker could not finish its plan (finalize).
    report.denied = refused.length;
    report.refusal = `Gemini's policy refused ${refused.length} tool call(s): ${
      oneLine(tools.join(", "), 200)
    } ${
      allowHint(
        uses.map((use) => str(obj(use?.parameters).command)),
        "raise the tier, or add a --policy file in backends.gemini.args",
      )
    }`;
  }
  const failed = (context.code ?? 0) !== 0 || (result !== undefined && str(result.status) !== "success") ||
    !result;
  if (failed && (errors.rateLimited || looksRateLimited([...errors.messages, ...text]))) {
    report.rateLimited = true;
  }
  return report;
}

/** The `gemini` backend. */
export const geminiBackend: BackendAdapter = {
  name: "gemini",
  launch: (input) => build(input, []),
  resume: (input, nativeSession) => build(input, ["--resume", nativeSession]),
  report: reportGemini,
};
