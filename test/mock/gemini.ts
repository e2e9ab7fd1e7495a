/**
 * Gemini API (`/v1beta/models/{m}:generateContent`, `:streamGenerateContent`,
 * `:countTokens`), as gemini-cli speaks it: normalization and answers.
 * @module
 */

import { Conversation, type MessagePart } from "./conversation.ts";
import { errorName, flattenText, json, newId, roughTokens, sse, type SseEvent } from "./http.ts";
import type { NormalizedRequest, ResolvedReply } from "./types.ts";

type Part = {
  text?: string;
  thought?: boolean;
  functionCall?: unknown;
  functionResponse?: { name?: string; response?: unknown };
};
type Content = { role?: string; parts?: Part[] };
type Decl = { name?: string; parameters?: unknown; parametersJsonSchema?: unknown };
type Body = {
  contents?: Content[];
  systemInstruction?: Content | string;
  tools?: { functionDeclarations?: Decl[] }[];
};

/** The text a function response carries: gemini-cli wraps it as `{output}` or `{error}`. */
function functionResponseText(resp: Part["functionResponse"]): string {
  const r = resp?.response;
  if (r && typeof r === "object") {
    const o = r as Record<string, unknown>;
    if (typeof o.output === "string") return o.output;
    if (typeof o.error === "string") return o.error;
  }
  return flattenText(r);
}

/** Normalizes a Gemini request; `model` comes from the URL path, `stream` from the method. */
export function normalizeGemini(raw: unknown, model: string, stream: boolean): NormalizedRequest {
  const body = (raw ?? {}) as Body;
  const conversation = new Conversation();
  conversation.system(
    typeof body.systemInstruction === "string"
      ? body.systemInstruction
      : (body.systemInstruction?.parts ?? []).map((p) => p.text ?? "").join("\n"),
  );
  for (const c of body.contents ?? []) {
    const parts = c.parts ?? [];
    if (c.role === "model") {
      for (const p of parts) if (!p.thought) conversation.assistant(p.text);
      continue;
    }
    conversation.message(
      parts.flatMap((p): MessagePart[] =>
        p.functionResponse
          ? [{ result: functionResponseText(p.functionResponse) }]
          : p.text !== undefined
          ? [{ text: p.text }]
          : []
      ),
      true,
    );
  }
  for (const t of body.tools ?? []) {
    for (const d of t.functionDeclarations ?? []) {
      conversation.tool(d.name, d.parametersJsonSchema ?? d.parameters);
    }
  }
  return conversation.request("gemini", model, stream, raw);
}

/**
 * Encodes a resolved reply as one `GenerateContentResponse`. Streamed, it is
 * a single SSE chunk (alt=sse) or a one-element JSON array (no alt).
 */
export function respondGemini(req: NormalizedRequest, reply: ResolvedReply, alt: string | null): Response {
  const parts: Record<string, unknown>[] = [];
  if (reply.text) parts.push({ text: reply.text });
  if (reply.tool) parts.push({ functionCall: { name: reply.tool.name, args: reply.tool.input } });
  const chunk = {
    candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
    usageMetadata: {
      promptTokenCount: reply.usage.input,
      candidatesTokenCount: reply.usage.output,
      totalTokenCount: reply.usage.input + reply.usage.output,
    },
    modelVersion: req.model,
    responseId: newId("mock"),
  };
  if (!req.stream) return json(chunk);
  if (alt === "sse") return sse([{ data: chunk } satisfies SseEvent]);
  return json([chunk]);
}

/** `:countTokens`: a rough count (4 characters a token). */
export function countTokensGemini(rawText: string): Response {
  return json({ totalTokens: roughTokens(rawText) });
}

/** A Google-shaped error body for `status`. */
export function errorGemini(status: number): unknown {
  const statusName = errorName(
    status,
    { 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 429: "RESOURCE_EXHAUSTED" },
    "INTERNAL",
    "INVALID_ARGUMENT",
  );
  return { error: { code: status, message: `mock error ${status}`, status: statusName } };
}
