/**
 * Reads what each CLI printed in the machine formats the recipes in
 * `cli_env.ts` ask for: the session id, the final answer and the usage.
 * @module
 */

import type { CliName } from "./cli_env.ts";

/** Token figures as the CLI reported them (see notes §0.3 for what each means). */
export interface CliUsage {
  input: number;
  output: number;
}

/** The facts a test needs from one run's stdout. */
export interface CliOutput {
  /** claude/qwen `session_id`, codex `thread_id`, gemini `session_id`, opencode `sessionID`. */
  sessionId?: string;
  /** The final assistant text of the run. */
  finalText?: string;
  /**
   * claude: `result.usage` (this call); codex: `turn.completed.usage` (whole
   * thread); gemini: `result.stats` (this call); opencode: sum of
   * `step_finish.part.tokens` (this run); qwen: `result.usage` (whole session).
   */
  usage?: CliUsage;
  /** Every JSON line that parsed. */
  events: Record<string, unknown>[];
}

type Ev = Record<string, unknown>;

/** JSON lines of `stdout` that parse to objects; a single JSON array is flattened (qwen `-o json`). */
export function jsonLines(stdout: string): Ev[] {
  const out: Ev[] = [];
  for (const line of stdout.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("{") && !t.startsWith("[")) continue;
    try {
      const v: unknown = JSON.parse(t);
      if (Array.isArray(v)) out.push(...v.filter((x): x is Ev => !!x && typeof x === "object"));
      else if (v && typeof v === "object") out.push(v as Ev);
    } catch {
      // Not JSON (a stray log line).
    }
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function num(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

function obj(v: unknown): Ev {
  return v && typeof v === "object" ? v as Ev : {};
}

/** Parses one run's stdout for `name`. */
export function parseCliOutput(name: CliName, stdout: string): CliOutput {
  const events = jsonLines(stdout);
  const res: CliOutput = { events };
  switch (name) {
    case "claude":
    case "qwen": {
      for (const e of events) res.sessionId ??= str(e.session_id);
      const result = events.findLast((e) => e.type === "result");
      if (result) {
        res.finalText = str(result.result);
        const u = obj(result.usage);
        res.usage = { input: num(u.input_tokens), output: num(u.output_tokens) };
      }
      break;
    }
    case "codex": {
      res.sessionId = str(events.find((e) => e.type === "thread.started")?.thread_id);
      const msg = events.findLast((e) => e.type === "item.completed" && obj(e.item).type === "agent_message");
      res.finalText = str(obj(msg?.item).text);
      const done = events.findLast((e) => e.type === "turn.completed");
      if (done) {
        const u = obj(done.usage);
        res.usage = { input: num(u.input_tokens), output: num(u.output_tokens) };
      }
      break;
    }
    case "gemini": {
      res.sessionId = str(events.find((e) => e.type === "init")?.session_id);
      // The answer is the assistant text after the last tool round, possibly in deltas.
      let text = "";
      for (const e of events) {
        if (e.type === "tool_use" || e.type === "tool_result") text = "";
        if (e.type === "message" && e.role === "assistant") text += str(e.content) ?? "";
      }
      res.finalText = text || undefined;
      const result = events.findLast((e) => e.type === "result");
      if (result) {
        const s = obj(result.stats);
        res.usage = { input: num(s.input_tokens), output: num(s.output_tokens) };
      }
      break;
    }
    case "opencode": {
      for (const e of events) res.sessionId ??= str(e.sessionID);
      let text = "";
      let input = 0;
      let output = 0;
      let steps = 0;
      for (const e of events) {
        const part = obj(e.part);
        if (e.type === "step_start") text = "";
        if (e.type === "text") text += str(part.text) ?? "";
        if (e.type === "step_finish") {
          const t = obj(part.tokens);
          input += num(t.input);
          output += num(t.output);
          steps++;
        }
      }
      res.finalText = text || undefined;
      if (steps > 0) res.usage = { input, output };
      break;
    }
  }
  return res;
}
