// deno-lint-ignore-file camelcase -- snake_case keys are the OpenAI Chat Completions wire format.

/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`), as opencode and
 * qwen speak it: request normalization and SSE / JSON answers.
 * @module
 */

import { Conversation } from "./conversation.ts";
import { flattenText, json, lastTextPart, newId, nowSeconds, sse, type SseEvent } from "./http.ts";
import type { NormalizedRequest, ResolvedReply } from "./types.ts";

type Message = { role?: string; content?: unknown; tool_calls?: unknown[] };
type Tool = { type?: string; function?: { name?: string; parameters?: unknown } };
type Body = {
  model?: string;
  messages?: Message[];
  tools?: Tool[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
};

/** Normalizes a Chat Completions request; `role:"tool"` messages are tool results. */
export function normalizeChat(raw: unknown): NormalizedRequest {
  const body = (raw ?? {}) as Body;
  const conversation = new Conversation();
  for (const msg of body.messages ?? []) {
    const text = flattenText(msg.content);
    if (msg.role === "assistant") {
      conversation.assistant(text);
    } else if (msg.role === "tool") {
      conversation.toolResult(text);
    } else {
      conversation.text(text);
      if (msg.role === "user" && text) conversation.prompt(lastTextPart(msg.content));
    }
  }
  for (const t of body.tools ?? []) conversation.tool(t.function?.name, t.function?.parameters);
  return conversation.request("chat", body.model ?? "", body.stream === true, raw);
}

/** Encodes a resolved reply as a Chat Completions answer (SSE when the request streams). */
export function respondChat(req: NormalizedRequest, reply: ResolvedReply): Response {
  const id = newId("chatcmpl-mock");
  const created = nowSeconds();
  const finishReason = reply.tool ? "tool_calls" : "stop";
  const usage = {
    prompt_tokens: reply.usage.input,
    completion_tokens: reply.usage.output,
    total_tokens: reply.usage.input + reply.usage.output,
  };
  const toolCall = reply.tool
    ? {
      id: newId("call_mock"),
      type: "function",
      function: { name: reply.tool.name, arguments: JSON.stringify(reply.tool.input) },
    }
    : undefined;
  if (!req.stream) {
    return json({
      id,
      object: "chat.completion",
      created,
      model: req.model,
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: reply.text ?? null,
          ...(toolCall ? { tool_calls: [toolCall] } : {}),
        },
        finish_reason: finishReason,
      }],
      usage,
    });
  }
  const includeUsage = (req.raw as Body | undefined)?.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): SseEvent => ({
    data: { id, object: "chat.completion.chunk", created, model: req.model, choices, ...extra },
  });
  const events: SseEvent[] = [
    chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
  ];
  if (reply.text) events.push(chunk([{ index: 0, delta: { content: reply.text }, finish_reason: null }]));
  if (toolCall) {
    events.push(
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, ...toolCall }] }, finish_reason: null }]),
    );
  }
  // Without include_usage the figures ride on the finishing chunk, which
  // lenient clients read; with it they get the spec's separate usage chunk.
  events.push(chunk([{ index: 0, delta: {}, finish_reason: finishReason }], includeUsage ? {} : { usage }));
  if (includeUsage) events.push(chunk([], { usage }));
  events.push({ data: "[DONE]" });
  return sse(events);
}
