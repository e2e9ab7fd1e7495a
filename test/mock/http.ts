/**
 * Response builders shared by the protocol adapters: JSON bodies, whole
 * server-sent-event streams and unique ids.
 * @module
 */

/** One server-sent event; `event` is omitted for APIs that only send `data:` lines. */
export interface SseEvent {
  event?: string;
  data: unknown;
}

/** A JSON response. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/**
 * A complete SSE response. The whole answer is known up front, so it is sent
 * as one body; every client tested parses it the same as a trickled stream.
 * A string `data` is sent verbatim (for the `[DONE]` sentinel).
 */
export function sse(events: SseEvent[]): Response {
  const text = events.map((e) => {
    const data = typeof e.data === "string" ? e.data : JSON.stringify(e.data);
    return (e.event ? `event: ${e.event}\n` : "") + `data: ${data}\n\n`;
  }).join("");
  return new Response(text, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

let idCounter = 0;

/** A unique id with a provider-style prefix, e.g. `toolu_…` or `call_…`. */
export function newId(prefix: string): string {
  idCounter++;
  return `${prefix}${Date.now().toString(36)}${idCounter.toString(36).padStart(4, "0")}`;
}

/** A rough token count for `:countTokens`-style answers: 4 characters a token, at least 1. */
export function roughTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** A provider's error name for `status`: an exact code first, then any 5xx, then every other code. */
export function errorName(
  status: number,
  exact: Record<number, string>,
  serverError: string,
  otherwise: string,
): string {
  return exact[status] ?? (status >= 500 ? serverError : otherwise);
}

/** Epoch seconds, as OpenAI bodies carry them. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Plain text of a value that may be a string, a list of content parts or anything JSON. */
export function flattenText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(flattenText).filter((s) => s !== "").join("\n");
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.text === "string") return o.text;
    if ("content" in o) return flattenText(o.content);
    if ("output" in o) return flattenText(o.output);
    return JSON.stringify(value);
  }
  return value === undefined || value === null ? "" : String(value);
}

/**
 * The last text part of a message's content. CLIs put harness context
 * (system reminders, session context) in earlier parts and the prompt last.
 */
export function lastTextPart(content: unknown): string {
  if (Array.isArray(content)) {
    for (let i = content.length - 1; i >= 0; i--) {
      const t = flattenText(content[i]);
      if (t) return t;
    }
    return "";
  }
  return flattenText(content);
}
