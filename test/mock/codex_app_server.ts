/**
 * A fake `codex app-server` for the relay driver's unit tests: a
 * {@linkcode LineChannel} whose far end is a test. It records every message
 * the client sends and lets the test answer, notify, ask, write garbage or
 * die, in any order.
 * @module
 */
import type { LineChannel } from "../../src/backends/codex/rpc.ts";

/** A message the client sent, parsed. */
export type ClientMessage =
  & { id?: number | string; method?: string; params?: Record<string, unknown> }
  & Record<
    string,
    unknown
  >;

/** The fake server. */
export class FakeAppServer implements LineChannel {
  /** Everything the client sent, in order. */
  readonly received: ClientMessage[] = [];
  #queue: (string | null)[] = [];
  #wake?: () => void;
  #arrived?: () => void;
  #dead = false;

  /** Called for each client message; may answer through the server's methods. */
  onMessage: (m: ClientMessage, server: FakeAppServer) => void = () => {};

  lines: AsyncIterable<string> = { [Symbol.asyncIterator]: () => this.#iterate() };

  async *#iterate(): AsyncGenerator<string> {
    while (true) {
      const next = this.#queue.shift();
      if (next === null) return;
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((r) => this.#wake = r);
    }
  }

  send(line: string): Promise<void> {
    if (this.#dead) return Promise.reject(new Error("Broken pipe"));
    const m = JSON.parse(line) as ClientMessage;
    this.received.push(m);
    this.#arrived?.();
    this.onMessage(m, this);
    return Promise.resolve();
  }

  /** Writes one raw line to the client. */
  line(text: string): void {
    this.#queue.push(text);
    this.#wake?.();
  }

  /** Writes a JSON message. */
  write(m: unknown): void {
    this.line(JSON.stringify(m));
  }

  /** Answers the client's request `m`. */
  reply(m: ClientMessage, result: unknown): void {
    this.write({ id: m.id, result });
  }

  /** A notification. */
  notify(method: string, params: Record<string, unknown>): void {
    this.write({ method, params });
  }

  /** The server's stdout closes (it died). */
  die(): void {
    this.#dead = true;
    this.#queue.push(null);
    this.#wake?.();
  }

  /** Resolves when the client has sent a message `match` accepts. */
  async waitFor(match: (m: ClientMessage) => boolean): Promise<ClientMessage> {
    while (true) {
      const found = this.received.find(match);
      if (found) return found;
      await new Promise<void>((r) => this.#arrived = r);
    }
  }
}

/** The thread and turn ids the fake hands out. */
export const THREAD = "thread-1";
export const TURN = "turn-1";

/**
 * The usual handshake: initialize, thread/start or thread/resume, turn/start,
 * each answered; `turnStarted` runs once the turn is on.
 */
export function handshake(server: FakeAppServer, turnStarted: (s: FakeAppServer) => void): void {
  server.onMessage = (m, s) => {
    if (m.method === "initialize") s.reply(m, { userAgent: "fake" });
    if (m.method === "thread/start" || m.method === "thread/resume") {
      s.reply(m, { thread: { id: (m.params?.threadId as string | undefined) ?? THREAD } });
    }
    if (m.method === "turn/start") {
      s.reply(m, { turn: { id: TURN, status: "inProgress" } });
      s.notify("turn/started", { threadId: THREAD, turn: { id: TURN } });
      turnStarted(s);
    }
  };
}

/** The end of a turn with `status`, after a usage update of the thread's running total. */
export function endTurn(s: FakeAppServer, status = "completed", error?: string): void {
  s.notify("thread/tokenUsage/updated", {
    threadId: THREAD,
    turnId: TURN,
    tokenUsage: { total: { inputTokens: 22, outputTokens: 14 }, last: { inputTokens: 11, outputTokens: 7 } },
  });
  s.notify("turn/completed", {
    threadId: THREAD,
    turn: { id: TURN, status, error: error ? { message: error } : null },
  });
}
