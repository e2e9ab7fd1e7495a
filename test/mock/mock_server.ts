/**
 * An offline mock model server on 127.0.0.1 that the real worker CLIs talk
 * to in tests. It routes each request to the adapter of its API (Anthropic
 * Messages, OpenAI Responses, OpenAI Chat Completions, Gemini), asks the
 * script for a reply on a normalized view of the request, and records
 * everything it saw.
 * @module
 */

import { countTokensAnthropic, errorAnthropic, normalizeAnthropic, respondAnthropic } from "./anthropic.ts";
import { normalizeChat, respondChat } from "./chat.ts";
import { countTokensGemini, errorGemini, normalizeGemini, respondGemini } from "./gemini.ts";
import { json, nowSeconds } from "./http.ts";
import { errorOpenAI, normalizeResponses, respondResponses } from "./responses.ts";
import { resolveReply } from "./script.ts";
import type { ApiKind, NormalizedRequest, RecordedRequest, Reply, ResolvedReply, Script } from "./types.ts";

export type * from "./types.ts";

/** Options of {@link startMockServer}. */
export interface MockServerOptions {
  /** Decides every model answer; replace it later with `setScript`. */
  script: Script;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Delay before each model answer, to exercise client timeouts. */
  delayMs?: number;
}

/** A running mock server; `await using` stops it when the scope ends. */
export interface MockServer extends AsyncDisposable {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Every request received, in arrival order (probes included). */
  requests: RecordedRequest[];
  /** Only the model calls (requests that reached a script), in order. */
  modelRequests(): RecordedRequest[];
  /** Replaces the script for subsequent requests. */
  setScript(script: Script): void;
}

const MODEL_ID = "mock-model";

/** A model list that satisfies both the OpenAI/Anthropic (`data`) and Gemini (`models`) shapes. */
function modelList(): Response {
  return json({
    object: "list",
    data: [{
      id: MODEL_ID,
      object: "model",
      type: "model",
      created: nowSeconds(),
      created_at: new Date().toISOString(),
      owned_by: "mock",
      display_name: "Mock Model",
    }],
    models: [{
      name: `models/${MODEL_ID}`,
      displayName: "Mock Model",
      supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
    }],
    has_more: false,
    first_id: MODEL_ID,
    last_id: MODEL_ID,
  });
}

function errorBody(api: ApiKind, status: number): unknown {
  if (api === "anthropic") return errorAnthropic(status);
  if (api === "gemini") return errorGemini(status);
  return errorOpenAI(status);
}

/** Where a model call goes: the API, how to normalize it, how to encode the answer. */
interface Route {
  api: ApiKind;
  normalize(body: unknown): NormalizedRequest;
  respond(req: NormalizedRequest, reply: ResolvedReply): Response;
}

const GEMINI_PATH = /\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;

/** Picks the model-call route for a POST, or undefined when the path is no model call. */
function routeFor(path: string, url: URL): Route | undefined {
  if (path.endsWith("/messages")) {
    return { api: "anthropic", normalize: normalizeAnthropic, respond: respondAnthropic };
  }
  if (path.endsWith("/responses")) {
    return { api: "responses", normalize: normalizeResponses, respond: respondResponses };
  }
  if (path.endsWith("/chat/completions")) {
    return { api: "chat", normalize: normalizeChat, respond: respondChat };
  }
  const g = GEMINI_PATH.exec(path);
  if (g && g[2] !== "countTokens") {
    const model = decodeURIComponent(g[1] ?? "");
    const stream = g[2] === "streamGenerateContent";
    const alt = url.searchParams.get("alt");
    return {
      api: "gemini",
      normalize: (body) => normalizeGemini(body, model, stream),
      respond: (req, reply) => respondGemini(req, reply, alt),
    };
  }
  return undefined;
}

/**
 * Starts the mock on 127.0.0.1. Unknown paths, `HEAD` probes (Claude's
 * `HEAD /api/hello`) and anything else harmless get `200 {}`, because a 404
 * makes some CLIs log noise or retry; WebSocket upgrades get 404 so codex
 * falls back to HTTP.
 */
export async function startMockServer(opts: MockServerOptions): Promise<MockServer> {
  let script = opts.script;
  const requests: RecordedRequest[] = [];
  const delayMs = opts.delayMs ?? 0;

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const text = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const rec: RecordedRequest = {
      time: Date.now(),
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: Object.fromEntries(request.headers),
      text,
      body,
    };
    requests.push(rec);

    if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
      return json({ error: { message: "websocket not supported by mock" } }, 404);
    }
    if (request.method === "HEAD") return new Response(null, { status: 200 });
    const path = url.pathname;
    if (request.method === "GET" && /\/models\/?$/.test(path)) return modelList();
    if (request.method !== "POST") return json({});
    if (path.endsWith("/messages/count_tokens")) return countTokensAnthropic(text);
    if (path.endsWith(":countTokens")) return countTokensGemini(text);

    const route = routeFor(path, url);
    if (!route) return json({});
    rec.api = route.api;
    const norm = route.normalize(body);
    rec.normalized = norm;
    let reply: Reply;
    try {
      reply = await script(norm);
    } catch (e) {
      // A script bug must fail loudly in the CLI output, not as a hang.
      reply = { status: 500, body: { error: { message: `mock script threw: ${String(e)}` } } };
    }
    rec.reply = reply;
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if ("status" in reply) return json(reply.body ?? errorBody(route.api, reply.status), reply.status);
    return route.respond(norm, resolveReply(norm, reply));
  };

  const { promise: listening, resolve } = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: opts.port ?? 0,
    onListen: (addr) => resolve(addr.port),
  }, handler);
  const port = await listening;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    modelRequests: () => requests.filter((r) => r.normalized !== undefined),
    setScript: (s) => {
      script = s;
    },
    // Stops listening and waits for open requests to finish.
    [Symbol.asyncDispose]: async () => {
      await server.shutdown();
      await server.finished;
    },
  };
}
