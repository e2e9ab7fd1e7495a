// deno-lint-ignore-file camelcase -- snake_case keys are the OpenAI Responses wire format.

/**
 * OpenAI Responses API (`POST /v1/responses`), as codex speaks it: request
 * normalization and SSE / JSON answers.
 * @module
 */

import { Conversation } from "./conversation.ts";
import { errorName, flattenText, json, lastTextPart, newId, nowSeconds, sse, type SseEvent } from "./http.ts";
import type { NormalizedRequest, ResolvedReply } from "./types.ts";

type Item = {
  type?: string;
  role?: string;
  content?: unknown;
  output?: unknown;
};
type Tool = { type?: string; name?: string; parameters?: unknown };
type Body = {
  model?: string;
  instructions?: unknown;
  input?: string | Item[];
  tools?: Tool[];
  stream?: boolean;
};

/** Marks a tool definition of type "custom" (freeform input, e.g. `apply_patch`). */
const CUSTOM = Symbol("custom tool");

/**
 * Normalizes a Responses request. codex sends its harness context
 * (permissions, environment) as developer/user messages before the prompt;
 * they count as texts, and only the newest prompt starts a turn.
 */
export function normalizeResponses(raw: unknown): NormalizedRequest {
  const body = (raw ?? {}) as Body;
  const conversation = new Conversation();
  conversation.system(flattenText(body.instructions));
  const items: Item[] = typeof body.input === "string"
    ? [{ type: "message", role: "user", content: body.input }]
    : body.input ?? [];
  for (const item of items) {
    const type = item.type ?? "message";
    if (type === "message") {
      const text = flattenText(item.content);
      if (item.role === "assistant") {
        conversation.assistant(text);
        continue;
      }
      conversation.text(text);
      if (item.role === "user") conversation.prompt(lastTextPart(item.content));
    } else if (type === "function_call_output" || type === "custom_tool_call_output") {
      conversation.toolResult(flattenText(item.output));
    }
  }
  for (const t of body.tools ?? []) {
    conversation.tool(t.name, t.type === "custom" ? { [CUSTOM]: true, ...t } : t.parameters);
  }
  return conversation.request("responses", body.model ?? "", body.stream === true, raw);
}

/** Encodes a resolved reply as a Responses answer (SSE when the request streams). */
export function respondResponses(req: NormalizedRequest, reply: ResolvedReply): Response {
  const responseId = newId("resp_mock");
  const output: Record<string, unknown>[] = [];
  if (reply.text) {
    output.push({
      type: "message",
      id: newId("msg_mock"),
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: reply.text, annotations: [] }],
    });
  }
  if (reply.tool) {
    const schema = req.toolSchemas[reply.tool.name] as Record<symbol, unknown> | undefined;
    const callId = newId("call_mock");
    if (schema?.[CUSTOM]) {
      const input = reply.tool.input.input;
      output.push({
        type: "custom_tool_call",
        id: newId("ctc_mock"),
        status: "completed",
        call_id: callId,
        name: reply.tool.name,
        input: typeof input === "string" ? input : JSON.stringify(reply.tool.input),
      });
    } else {
      output.push({
        type: "function_call",
        id: newId("fc_mock"),
        status: "completed",
        call_id: callId,
        name: reply.tool.name,
        arguments: JSON.stringify(reply.tool.input),
      });
    }
  }
  const usage = {
    input_tokens: reply.usage.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: reply.usage.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: reply.usage.input + reply.usage.output,
  };
  const base = { id: responseId, object: "response", created_at: nowSeconds(), model: req.model };
  const completed = { ...base, status: "completed", output, usage };
  if (!req.stream) return json(completed);

  let seq = 0;
  const events: SseEvent[] = [];
  const push = (data: Record<string, unknown>) =>
    events.push({ event: String(data.type), data: { ...data, sequence_number: seq++ } });
  push({ type: "response.created", response: { ...base, status: "in_progress", output: [] } });
  push({ type: "response.in_progress", response: { ...base, status: "in_progress", output: [] } });
  output.forEach((item, outputIndex) => {
    const itemId = String(item.id);
    if (item.type === "message") {
      const text = reply.text ?? "";
      push({
        type: "response.output_item.added",
        output_index: outputIndex,
        item: { ...item, status: "in_progress", content: [] },
      });
      const part = { type: "output_text", text: "", annotations: [] };
      push({
        type: "response.content_part.added",
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        part,
      });
      push({
        type: "response.output_text.delta",
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        delta: text,
      });
      push({
        type: "response.output_text.done",
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        text,
      });
      push({
        type: "response.content_part.done",
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        part: { ...part, text },
      });
    } else if (item.type === "function_call") {
      push({
        type: "response.output_item.added",
        output_index: outputIndex,
        item: { ...item, status: "in_progress", arguments: "" },
      });
      push({
        type: "response.function_call_arguments.delta",
        item_id: itemId,
        output_index: outputIndex,
        delta: item.arguments,
      });
      push({
        type: "response.function_call_arguments.done",
        item_id: itemId,
        output_index: outputIndex,
        arguments: item.arguments,
      });
    } else {
      push({
        type: "response.output_item.added",
        output_index: outputIndex,
        item: { ...item, status: "in_progress" },
      });
    }
    push({ type: "response.output_item.done", output_index: outputIndex, item });
  });
  push({ type: "response.completed", response: completed });
  return sse(events);
}

/** An OpenAI-shaped error body for `status`. */
export function errorOpenAI(status: number): unknown {
  const type = errorName(
    status,
    { 401: "invalid_request_error", 429: "rate_limit_exceeded" },
    "server_error",
    "invalid_request_error",
  );
  const code = status === 401 ? "invalid_api_key" : status === 429 ? "rate_limit_exceeded" : null;
  return { error: { message: `mock error ${status}`, type, param: null, code } };
}
