// deno-lint-ignore-file camelcase -- snake_case keys are the Anthropic Messages wire format.

/**
 * Anthropic Messages API (`POST /v1/messages`), as Claude Code speaks it:
 * request normalization and SSE / JSON answers.
 * @module
 */

import { Conversation, type MessagePart } from "./conversation.ts";
import { errorName, flattenText, json, newId, roughTokens, sse, type SseEvent } from "./http.ts";
import type { NormalizedRequest, ResolvedReply } from "./types.ts";

type Block = { type?: string; text?: string; content?: unknown };
type Message = { role?: string; content?: string | Block[] };
type Body = {
  model?: string;
  system?: unknown;
  messages?: Message[];
  tools?: { name?: string; input_schema?: unknown }[];
  stream?: boolean;
};

/**
 * Normalizes a Messages request. Claude Code sends harness context as
 * `role:"system"` entries inside `messages` (see notes §4.5), so those count
 * as system text, not as a prompt.
 */
export function normalizeAnthropic(raw: unknown): NormalizedRequest {
  const body = (raw ?? {}) as Body;
  const conversation = new Conversation();
  conversation.system(flattenText(body.system));
  for (const msg of body.messages ?? []) {
    const blocks: Block[] = typeof msg.content === "string"
      ? [{ type: "text", text: msg.content }]
      : msg.content ?? [];
    if (msg.role === "assistant") {
      for (const b of blocks) if (b.type === "text") conversation.assistant(b.text);
      continue;
    }
    const parts = blocks.flatMap((b): MessagePart[] =>
      b.type === "text" && b.text !== undefined
        ? [{ text: b.text }]
        : b.type === "tool_result"
        ? [{ result: flattenText(b.content) }]
        : []
    );
    // A user message carrying only text is a new prompt: the next tool steps belong to it.
    conversation.message(parts, msg.role === "user");
  }
  for (const t of body.tools ?? []) conversation.tool(t.name, t.input_schema);
  return conversation.request("anthropic", body.model ?? "", body.stream === true, raw);
}

/** Encodes a resolved reply as a Messages answer (SSE when the request streams). */
export function respondAnthropic(req: NormalizedRequest, reply: ResolvedReply): Response {
  const id = newId("msg_mock");
  const content: Record<string, unknown>[] = [];
  if (reply.text) content.push({ type: "text", text: reply.text });
  if (reply.tool) {
    content.push({
      type: "tool_use",
      id: newId("toolu_mock"),
      name: reply.tool.name,
      input: reply.tool.input,
    });
  }
  const stopReason = reply.tool ? "tool_use" : "end_turn";
  const usage = {
    input_tokens: reply.usage.input,
    output_tokens: reply.usage.output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  if (!req.stream) {
    return json({
      id,
      type: "message",
      role: "assistant",
      model: req.model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage,
    });
  }
  const events: SseEvent[] = [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: {
          id,
          type: "message",
          role: "assistant",
          model: req.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      },
    },
    { event: "ping", data: { type: "ping" } },
  ];
  content.forEach((block, index) => {
    const isTool = block.type === "tool_use";
    events.push({
      event: "content_block_start",
      data: {
        type: "content_block_start",
        index,
        content_block: isTool ? { ...block, input: {} } : { type: "text", text: "" },
      },
    });
    events.push({
      event: "content_block_delta",
      data: {
        type: "content_block_delta",
        index,
        delta: isTool
          ? { type: "input_json_delta", partial_json: JSON.stringify(block.input) }
          : { type: "text_delta", text: block.text },
      },
    });
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  });
  events.push({
    event: "message_delta",
    data: {
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { input_tokens: usage.input_tokens, output_tokens: usage.output_tokens },
    },
  });
  events.push({ event: "message_stop", data: { type: "message_stop" } });
  return sse(events);
}

/** `POST /v1/messages/count_tokens`: a rough count (4 characters a token). */
export function countTokensAnthropic(rawText: string): Response {
  return json({ input_tokens: roughTokens(rawText) });
}

/** An Anthropic-shaped error body for `status`. */
export function errorAnthropic(status: number): unknown {
  const type = errorName(
    status,
    { 401: "authentication_error", 429: "rate_limit_error", 529: "overloaded_error" },
    "api_error",
    "invalid_request_error",
  );
  return { type: "error", error: { type, message: `mock error ${status}` } };
}
