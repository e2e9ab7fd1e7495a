/**
 * JSON-RPC 2.0 over newline-delimited JSON, as `codex app-server` speaks it
 * on stdio: our requests and their replies, the server's notifications, and
 * the server's own requests (approvals), which a handler answers.
 *
 * Pure over a {@linkcode LineChannel}, so the tests drive it with a fake
 * server. A line that is not a JSON object is reported and skipped, never
 * fatal: the server also prints nothing else on stdout, but a relay must not
 * die of one bad line.
 * @module
 */

/** Lines in from the server, lines out to it. */
export interface LineChannel {
  /** Each line the server writes, without its newline; ends when the server's stdout closes. */
  lines: AsyncIterable<string>;
  /** Writes one line (the newline is the channel's). */
  send(line: string): Promise<void>;
}

/** A message the server sent: a notification, or a request of its own when `id` is set. */
export interface ServerMessage {
  method: string;
  id?: number | string;
  params: Record<string, unknown>;
}

/** A reply to a server request: a result, or a JSON-RPC error. */
export type Reply = { result: unknown } | { error: { code: number; message: string } };

/** What the peer hands its owner. */
export interface PeerHandlers {
  /** A notification (no `id`). */
  notification(message: ServerMessage): void;
  /** A request of the server's; resolves with the reply to send. */
  request(message: ServerMessage): Promise<Reply>;
  /** A line that was not JSON-RPC (reported by the owner, then ignored). */
  garbage(line: string): void;
}

/** The server answered one of our requests with an error. */
export class RpcError extends Error {
  constructor(readonly method: string, readonly code: number, message: string) {
    super(message);
  }
}

/** The JSON-RPC error code for a method the client does not implement. */
export const METHOD_NOT_FOUND = -32601;

type Waiter = { method: string; resolve: (v: unknown) => void; reject: (e: Error) => void };

/** One connection to the server. */
export class RpcPeer {
  #next = 1;
  #waiting = new Map<number, Waiter>();
  /** Resolves when the server's output ends (it exited or closed stdout). */
  readonly closed: Promise<void>;

  constructor(private readonly channel: LineChannel, private readonly on: PeerHandlers) {
    this.closed = this.#read();
  }

  /** Sends a request; resolves with its result, rejects on an error reply or when the server goes away. */
  request(method: string, params: unknown): Promise<Record<string, unknown>> {
    const id = this.#next++;
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.#waiting.set(id, { method, resolve: (v) => resolve(asObject(v)), reject });
    });
    this.channel.send(JSON.stringify({ id, method, params })).catch((e) => this.#fail(id, e));
    return reply;
  }

  /** Sends a notification. */
  notify(method: string, params?: unknown): Promise<void> {
    return this.channel.send(JSON.stringify(params === undefined ? { method } : { method, params }));
  }

  #fail(id: number, e: unknown): void {
    const w = this.#waiting.get(id);
    this.#waiting.delete(id);
    w?.reject(e instanceof Error ? e : new Error(String(e)));
  }

  async #read(): Promise<void> {
    try {
      for await (const line of this.channel.lines) {
        if (line.trim() === "") continue;
        this.#dispatch(line);
      }
    } catch {
      // a broken pipe ends the connection like an exit does
    }
    for (const [id, w] of this.#waiting) {
      this.#fail(id, new Error(`Codex app-server exited before it answered ${w.method}`));
    }
  }

  #dispatch(line: string): void {
    let m: Record<string, unknown>;
    try {
      m = asObject(JSON.parse(line), true);
    } catch {
      return this.on.garbage(line);
    }
    const id = m.id;
    const hasId = typeof id === "number" || typeof id === "string";
    if (typeof m.method === "string") {
      const message: ServerMessage = { method: m.method, params: asObject(m.params) };
      if (!hasId) return this.on.notification(message);
      message.id = id;
      this.on.request(message)
        .catch((e): Reply => ({
          error: { code: -32603, message: e instanceof Error ? e.message : String(e) },
        }))
        .then((reply) => this.channel.send(JSON.stringify({ id, ...reply })))
        .catch(() => {}); // the server is gone; `closed` says so
      return;
    }
    const w = typeof id === "number" ? this.#waiting.get(id) : undefined;
    if (!w) return this.on.garbage(line);
    this.#waiting.delete(id as number);
    if ("error" in m) {
      const err = asObject(m.error);
      const code = typeof err.code === "number" ? err.code : 0;
      w.reject(new RpcError(w.method, code, String(err.message ?? "error")));
    } else w.resolve(m.result);
  }
}

/** `v` as an object (`{}` for anything else, or a throw when `strict`). */
function asObject(v: unknown, strict = false): Record<string, unknown> {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  if (strict) throw new Error("not an object");
  return {};
}

/** Splits a byte stream into lines (a last line without its newline included). */
export async function* linesOf(stream: ReadableStream<Uint8Array>): AsyncIterable<string> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let at: number;
    while ((at = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
    }
  }
  if (buffer !== "") yield buffer;
}
