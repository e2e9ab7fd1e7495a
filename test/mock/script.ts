/**
 * Scripting helpers: turning a portable `{shell}` reply into the concrete
 * shell-tool call each CLI understands, and a stateless multi-step script.
 * @module
 */

import type { NormalizedRequest, Reply, ResolvedReply, Script, Usage } from "./types.ts";

/** Usage reported when a reply names none: small fixed figures keep assertions exact. */
export const DEFAULT_USAGE: Usage = Object.freeze({ input: 11, output: 7 });

/** What side calls (no tools offered: titles, memory, summaries) get from `shellSteps`. */
export const SIDE_CALL_TEXT = "Mock side reply";

/**
 * Shell tool names in order of preference: Claude `Bash`, opencode `bash`,
 * codex `exec_command`, gemini/qwen `run_shell_command`, then older codex names.
 */
const SHELL_TOOLS = ["Bash", "bash", "exec_command", "run_shell_command", "shell_command", "shell"];

/** Returns the shell tool the request offers, or undefined. */
export function findShellTool(req: NormalizedRequest): string | undefined {
  return SHELL_TOOLS.find((n) => req.toolNames.includes(n));
}

function schemaProperties(schema: unknown): Record<string, { type?: unknown }> {
  if (schema && typeof schema === "object" && "properties" in schema) {
    const p = (schema as { properties?: unknown }).properties;
    if (p && typeof p === "object") return p as Record<string, { type?: unknown }>;
  }
  return {};
}

/**
 * Builds the input of a shell tool from its schema, so that one `{shell}`
 * reply fits every CLI: `command` or `cmd` carries the command (an argv array
 * when the schema says so, as codex's legacy `shell` tool wants), and the
 * optional fields some CLIs validate (`description`, `is_background`) are
 * filled only when the schema has them.
 */
export function shellToolInput(schema: unknown, command: string): Record<string, unknown> {
  const props = schemaProperties(schema);
  const input: Record<string, unknown> = {};
  const key = "cmd" in props && !("command" in props) ? "cmd" : "command";
  input[key] = props[key]?.type === "array" ? ["bash", "-lc", command] : command;
  if ("description" in props) input.description = "mock step";
  if ("is_background" in props) input.is_background = false;
  return input;
}

/**
 * Turns a script reply into what an adapter encodes. A `{shell}` reply
 * becomes a call of the offered shell tool; when none is offered the model
 * "says" so in text, which makes a missing permission flag visible in the
 * CLI's output instead of a hang.
 */
export function resolveReply(
  req: NormalizedRequest,
  reply: Exclude<Reply, { status: number }>,
): ResolvedReply {
  const usage = reply.usage ?? DEFAULT_USAGE;
  if ("shell" in reply) {
    const name = findShellTool(req);
    if (!name) {
      return { text: `mock: no shell tool offered (tools: ${req.toolNames.join(", ") || "none"})`, usage };
    }
    return {
      text: reply.text,
      tool: { name, input: shellToolInput(req.toolSchemas[name], reply.shell) },
      usage,
    };
  }
  if ("tool" in reply) return { text: reply.text, tool: reply.tool, usage };
  return { text: reply.text, usage };
}

/**
 * A script that runs `steps` one shell command per model call and then ends
 * with `finalText`. It keeps no state: the step index is the number of tool
 * results in the current turn (after the newest user prompt), so retries,
 * side calls and resumed sessions cannot shift it. Requests that offer no
 * tools are side calls (opencode titles, qwen memory, gemini summaries) and
 * get a short plain text.
 *
 * `steps` may be a function of the request, so a later step can use the
 * output of an earlier one (`req.turnToolResults`).
 */
export function shellSteps(
  steps: string[] | ((req: NormalizedRequest) => string[]),
  finalText: string,
): Script {
  return (req) => {
    if (req.toolNames.length === 0) return { text: SIDE_CALL_TEXT };
    const list = typeof steps === "function" ? steps(req) : steps;
    const i = req.turnToolResults.length;
    const step = list[i];
    return step === undefined ? { text: finalText } : { shell: step };
  };
}

/** A script that answers every request with the same text. */
export function alwaysText(text: string): Script {
  return () => ({ text });
}
