/**
 * OpenAI Codex CLI as a worker: in read and edit through dispatch's
 * permission relay over `codex app-server` (./relay.ts), whose log uses
 * `codex exec --json`'s event names; in full as `codex exec`, which never asks.
 *
 * - Prompt on stdin (`-`), JSONL events (`--json`), no git-repo check (a
 *   worktree or plain folder is fine), and `allow_login_shell=false`:
 *   codex runs tool commands as `bash -lc` by default, and a login shell's
 *   /etc/profile can reset PATH so `dispatch` is not found.
 * - Tiers are `-c` overrides (see ./tiers.ts) because `codex exec resume`
 *   takes neither `-s` nor `--add-dir`; the task's own folder (not all of
 *   $DISPATCH_HOME) is writable in every tier, for plan ticks and `dispatch ask`.
 * - Report: `thread.started.thread_id`; usage from the last
 *   `turn.completed.usage`, which is the running total of the thread, so
 *   the total the same thread printed in an earlier run is subtracted.
 *   No cost is reported.
 * @module
 */
import type { Usage } from "../../store/tasks.ts";
import type { Event } from "../jsonl.ts";
import { num, obj, oneLine, parseLog, str } from "../jsonl.ts";
import { cliLaunch, executable } from "../launch_common.ts";
import { looksRateLimited } from "../rate_limit.ts";
import { codexTiers } from "./tiers.ts";
import type { BackendAdapter, LaunchInput, LaunchSpec, ReportContext, RunReport } from "../types.ts";
import { usageSince } from "../usage_delta.ts";

function build(input: LaunchInput, resume?: string): LaunchSpec {
  if (input.tier !== "full") return relayLaunch(input, resume);
  const head = [
    executable(input, "codex"),
    "exec",
    ...(resume ? ["resume"] : []),
    "--json",
    "--skip-git-repo-check",
  ];
  return cliLaunch(input, codexTiers, [...head, "-m", input.spec.modelId, "-c", "allow_login_shell=false"], {
    end: [...(resume ? [resume] : []), "-"], // the prompt (or the resume message) comes on stdin
  });
}

/**
 * read and edit: dispatch's relay (src/cli/codex_relay.ts) drives `codex
 * app-server`, which takes the tier's and the user's `-c` flags as `exec` does.
 */
function relayLaunch(input: LaunchInput, resume?: string): LaunchSpec {
  const head = [
    input.bin ?? "dispatch",
    "_codex-relay",
    input.spec.modelId,
    ...(resume ? [resume] : []),
    "--",
    executable(input, "codex"),
    "app-server",
    "-c",
    "allow_login_shell=false",
  ];
  return cliLaunch(input, codexTiers, head);
}

/** The thread id and the last running total per thread, in the order the events came. */
function threadTotals(events: Event[]): { thread?: string; totals: Map<string, Usage> } {
  let thread: string | undefined;
  const totals = new Map<string, Usage>();
  for (const e of events) {
    if (e.type === "thread.started") thread = str(e.thread_id) ?? thread;
    if (e.type === "turn.completed" && thread) {
      const u = obj(e.usage);
      totals.set(thread, { inputTokens: num(u.input_tokens), outputTokens: num(u.output_tokens) });
    }
  }
  return { thread, totals };
}

/** Error texts codex printed: failed turns, error events and error items. */
function errorsOf(events: Event[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.type === "turn.failed") out.push(str(obj(e.error).message) ?? "turn failed");
    if (e.type === "error") out.push(str(e.message) ?? "error");
  }
  return out;
}

/** Reads one `codex exec --json` run. */
export function reportCodex(log: string, context: ReportContext = {}): RunReport {
  const { events, text } = parseLog(log);
  const { thread, totals } = threadTotals(events);
  const report: RunReport = {};
  if (thread) report.nativeSession = thread;
  const total = thread ? totals.get(thread) : undefined;
  if (total) {
    const earlier = threadTotals(parseLog(context.earlierLog ?? "").events).totals.get(thread!);
    report.usage = usageSince(total, earlier);
  }
  const errors = errorsOf(events);
  const failedTurn = events.findLast((e) => e.type === "turn.failed");
  if (failedTurn) {
    report.failure = `Codex turn failed: ${oneLine(str(obj(failedTurn.error).message) ?? "no message")}`;
  } else if (!events.some((e) => e.type === "turn.completed")) {
    report.failure = events.length === 0
      ? "Codex printed no JSON events (see 'dispatch logs')"
      : "Codex ended without completing its turn (see 'dispatch logs')";
  }
  const failed = failedTurn !== undefined || (context.code ?? 0) !== 0;
  if (failed && looksRateLimited([...errors, ...text])) report.rateLimited = true;
  return report;
}

/** The `codex` backend. */
export const codexBackend: BackendAdapter = {
  name: "codex",
  launch: (input) => build(input),
  resume: (input, nativeSession) => build(input, nativeSession),
  report: reportCodex,
};
