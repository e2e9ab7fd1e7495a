/**
 * The vocabulary shared by the mock model server, its protocol adapters and
 * the test scripts: what a request looks like once normalized, and what a
 * script may answer.
 * @module
 */

/** The model API a request arrived on. */
export type ApiKind = "anthropic" | "responses" | "chat" | "gemini";

/** Token figures the mock reports back, so CLIs print usage. */
export interface Usage {
  /** Prompt tokens for this call. */
  input: number;
  /** Completion tokens for this call. */
  output: number;
}

/**
 * One model request reduced to what a script needs, whichever API it came on.
 * The adapters build it; `raw` keeps the parsed body for anything else.
 */
export interface NormalizedRequest {
  /** API family of the request. */
  api: ApiKind;
  /** Model id as the CLI sent it (from the body or, for Gemini, the path). */
  model: string;
  /** Names of every tool the request offers the model, in request order. */
  toolNames: string[];
  /** JSON schema of each offered tool's input, by tool name. */
  toolSchemas: Record<string, unknown>;
  /** Every system, user and tool-result text, in conversation order, flattened. */
  texts: string[];
  /** Every assistant text already in the conversation, in order. */
  assistantTexts: string[];
  /** The outputs of earlier tool calls, in conversation order. */
  toolResults: string[];
  /**
   * Tool outputs that came after the last real user prompt: the tool steps of
   * the current turn. A resumed conversation carries the previous turns' tool
   * results too, so step counting must start at the newest prompt.
   */
  turnToolResults: string[];
  /** Text of the newest user message that is a prompt (not only tool results). */
  lastUserText: string;
  /** True when the client asked for a streamed (SSE) answer. */
  stream: boolean;
  /** The parsed JSON body. */
  raw: unknown;
}

/** A plain assistant message that ends the turn. */
export interface TextReply {
  text: string;
  usage?: Usage;
}

/**
 * "Run this command with the CLI's own shell tool." The server picks the tool
 * and its argument names from the tools the request offers.
 */
export interface ShellReply {
  shell: string;
  /** Optional assistant text sent before the tool call. */
  text?: string;
  usage?: Usage;
}

/** A call of a named tool with literal input. */
export interface ToolReply {
  tool: { name: string; input: Record<string, unknown> };
  /** Optional assistant text sent before the tool call. */
  text?: string;
  usage?: Usage;
}

/** An HTTP error instead of a model answer. */
export interface ErrorReply {
  status: number;
  /** JSON body; a provider-shaped error is made up when omitted. */
  body?: unknown;
}

/** What a script answers to one request. */
export type Reply = TextReply | ShellReply | ToolReply | ErrorReply;

/** Decides the answer to each model request; it should depend on the request alone. */
export type Script = (req: NormalizedRequest) => Reply | Promise<Reply>;

/**
 * A reply the adapters can encode directly: a shell reply has been turned
 * into a concrete tool call, an error is handled before the adapter.
 */
export interface ResolvedReply {
  text?: string;
  tool?: { name: string; input: Record<string, unknown> };
  usage: Usage;
}

/** One HTTP request as the server saw it. */
export interface RecordedRequest {
  /** Arrival time, epoch milliseconds. */
  time: number;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string including the leading "?", or "". */
  search: string;
  headers: Record<string, string>;
  /** Raw body text ("" when none). */
  text: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
  /** API family for model calls; undefined for probes and lists. */
  api?: ApiKind;
  /** The normalized form for model calls. */
  normalized?: NormalizedRequest;
  /** The script's answer for model calls. */
  reply?: Reply;
}
