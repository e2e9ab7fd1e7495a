/**
 * The codex permission relay's driver: one turn of `codex app-server`, with
 * the server's approval requests turned into permission questions.
 *
 * It runs as the worker process (see src/cli/codex_relay.ts), so the
 * supervisor sees an ordinary worker: the prompt in, a JSONL log out, an exit
 * code. The log uses `codex exec --json`'s event names (`thread.started`,
 * `item.completed`, `turn.completed` with the thread's running usage total,
 * `turn.failed`, `error`), so the adapter's one report reads both.
 *
 * The thread runs under `approvalPolicy: "on-request"` (verified with codex
 * 0.169.0): a command runs in the tier's sandbox without asking, as under
 * `codex exec`, and only a command the model asks to run outside it
 * (`sandbox_permissions: "require_escalated"`) comes as
 * `item/commandExecution/requestApproval`. `untrusted` would ask for every
 * command but the read-only ones, and an `accept` there still runs it inside
 * the sandbox. `accept` of an escalation runs it unsandboxed.
 * @module
 */
import { arr, num, obj as asObject, str } from "../jsonl.ts";
import type { Decision, PermissionRequest as CoreRequest } from "../../store/permissions.ts";
import { type LineChannel, METHOD_NOT_FOUND, type Reply, RpcPeer, type ServerMessage } from "./rpc.ts";

/** What the worker asks the user for: the relay core's request, plus why the model asks. */
export interface PermissionRequest extends CoreRequest {
  /** Why the model asks (its `justification`), when it said. */
  reason?: string;
}

/** The user's answer to a permission question. */
export interface PermissionVerdict {
  decision: Decision;
  reason?: string;
}

/** One run of the driver. */
export interface RelayOptions {
  model: string;
  cwd: string;
  /** The turn's text: the prompt, or the resume message. */
  text: string;
  /** Continue this thread (`thread/resume`) instead of starting one. */
  resume?: string;
}

/** What the driver is given. */
export interface RelayDeps {
  channel: LineChannel;
  /** One log event (a JSON object), written as a line of the worker's output. */
  log(event: Record<string, unknown>): void;
  /** Asks the user (or a stored answer, a grant); resolves when answered, however long that takes. */
  decide(request: PermissionRequest): Promise<PermissionVerdict>;
  version?: string;
}

/** The exit code: 0 when the turn completed, 1 otherwise. */
export type RelayExit = 0 | 1;

const APPROVAL_POLICY = "on-request";

/** Runs the turn to its end; resolves with the exit code. */
export async function runRelay(opts: RelayOptions, deps: RelayDeps): Promise<RelayExit> {
  const session = new RelaySession(opts, deps);
  try {
    return await session.run();
  } catch (e) {
    deps.log({ type: "error", message: e instanceof Error ? e.message : String(e) });
    return 1;
  }
}

class RelaySession {
  readonly peer: RpcPeer;
  thread?: string;
  turn?: string;
  usage = { input_tokens: 0, output_tokens: 0 };
  /** Items seen starting, by id: a file change's paths come with its item, not its approval. */
  items = new Map<string, Record<string, unknown>>();
  #ended!: (code: RelayExit) => void;
  readonly ended = new Promise<RelayExit>((resolve) => this.#ended = resolve);

  constructor(readonly opts: RelayOptions, readonly deps: RelayDeps) {
    this.peer = new RpcPeer(deps.channel, {
      notification: (m) => this.notification(m),
      request: (m) => this.request(m),
      garbage: (line) => deps.log({ type: "relay.garbage", line: line.slice(0, 500) }),
    });
  }

  async run(): Promise<RelayExit> {
    const gone = this.peer.closed.then((): RelayExit => {
      this.deps.log({ type: "error", message: "Codex app-server exited before the turn completed" });
      return 1;
    });
    return await Promise.race([this.drive(), gone]);
  }

  async drive(): Promise<RelayExit> {
    const { opts, peer } = this;
    await peer.request("initialize", {
      clientInfo: { name: "dispatch", title: null, version: this.deps.version ?? "0" },
      capabilities: null,
    });
    await peer.notify("initialized");
    const common = { model: opts.model, cwd: opts.cwd, approvalPolicy: APPROVAL_POLICY };
    const started = opts.resume
      ? await peer.request("thread/resume", { threadId: opts.resume, ...common, excludeTurns: true })
      : await peer.request("thread/start", common);
    const thread = asObject(started.thread).id;
    if (typeof thread !== "string") throw new Error("Codex app-server started no thread");
    this.thread = thread;
    this.deps.log({ type: "thread.started", thread_id: thread });
    const turn = await peer.request("turn/start", {
      threadId: thread,
      input: [{ type: "text", text: opts.text, text_elements: [] }],
    });
    this.turn ??= str(asObject(turn.turn).id);
    return await this.ended;
  }

  notification({ method, params }: ServerMessage): void {
    if (params.threadId !== undefined && params.threadId !== this.thread) return; // another thread's news
    if (method === "turn/started") this.turn = str(asObject(params.turn).id) ?? this.turn;
    if (method === "item/started") {
      const item = asObject(params.item);
      if (typeof item.id === "string") this.items.set(item.id, item);
    }
    if (method === "item/completed") this.deps.log({ type: "item.completed", item: params.item });
    if (method === "thread/tokenUsage/updated") {
      const total = asObject(asObject(params.tokenUsage).total);
      this.usage = { input_tokens: num(total.inputTokens) ?? 0, output_tokens: num(total.outputTokens) ?? 0 };
    }
    if (method === "error") {
      this.deps.log({ type: "error", message: str(asObject(params.error).message) ?? "error" });
    }
    if (method === "turn/completed") this.turnEnded(asObject(params.turn));
  }

  turnEnded(turn: Record<string, unknown>): void {
    if (this.turn !== undefined && turn.id !== this.turn) return;
    if (turn.status === "completed") {
      this.deps.log({ type: "turn.completed", usage: this.usage });
      return this.#ended(0);
    }
    const message = str(asObject(turn.error).message) ?? `turn ${str(turn.status) ?? "ended"}`;
    this.deps.log({ type: "turn.failed", error: { message }, usage: this.usage });
    this.#ended(1);
  }

  async request(m: ServerMessage): Promise<Reply> {
    const p = m.params;
    if (m.method === "item/commandExecution/requestApproval") {
      const request: PermissionRequest = { tool: "commandExecution", cwd: str(p.cwd) ?? this.opts.cwd };
      const command = shownCommand(p);
      if (command !== undefined) request.command = command;
      return await this.approve(withCall(request, p));
    }
    if (m.method === "item/fileChange/requestApproval") {
      const request: PermissionRequest = { tool: "fileChange", cwd: this.opts.cwd };
      const files = changedFiles(this.items.get(str(p.itemId) ?? ""));
      const root = str(p.grantRoot);
      // The core wants a command or a file: one codex did not name is still asked about, as unnamed. A grant
      // root asks for writes under it for the rest of the session: the user sees that, not only the files.
      const named = files.length > 0 ? files.join(", ") : undefined;
      request.file = root === undefined
        ? named ?? "(files codex did not name)"
        : `${named ? `${named}, and ` : ""}anything under ${root} for the rest of the session`;
      return await this.approve(withCall(request, p));
    }
    // User input, MCP elicitations, dynamic tools, auth refreshes: nothing of dispatch's to answer.
    this.deps.log({ type: "relay.unsupported", method: m.method });
    return { error: { code: METHOD_NOT_FOUND, message: `dispatch does not handle ${m.method}` } };
  }

  async approve(request: PermissionRequest): Promise<Reply> {
    this.deps.log({ type: "relay.permission_asked", request });
    const verdict = await this.deps.decide(request);
    this.deps.log({ type: "relay.permission_answered", call: request.call, ...verdict });
    if (verdict.decision !== "deny") return { result: { decision: "accept" } };
    // codex hands the model only "rejected by user": the user's reason goes in as steering input
    // first, so it is in the very next model request after the decline.
    if (this.thread && this.turn) {
      const what = request.command !== undefined
        ? `running "${request.command}"`
        : `changing ${request.file}`;
      const why = verdict.reason ? `: ${verdict.reason}` : "";
      const text = `The user denied ${what}${why}. Do not try it again; carry on without it.`;
      await this.peer.request("turn/steer", {
        threadId: this.thread,
        expectedTurnId: this.turn,
        input: [{ type: "text", text, text_elements: [] }],
      }).catch((e) => this.deps.log({ type: "relay.steer_failed", message: String(e?.message ?? e) }));
    }
    return { result: { decision: "decline" } };
  }
}

function withCall(request: PermissionRequest, p: Record<string, unknown>): PermissionRequest {
  const call = str(p.itemId);
  if (call !== undefined) request.call = call;
  const reason = str(p.reason);
  if (reason !== undefined) request.reason = reason;
  return request;
}

/**
 * The command as the model wrote it: codex wraps it (`/bin/bash -c "…"`) and
 * parses it into actions; a single action is the model's text only when it
 * is the wrapped script exactly. codex's parse drops parts it thinks are
 * noise (a leading `cd DIR &&`, a `| head`), and the user must see what runs,
 * so otherwise it is codex's whole command.
 */
export function shownCommand(p: Record<string, unknown>): string | undefined {
  const command = str(p.command);
  const actions = arr(p.commandActions);
  const only = actions.length === 1 ? str(asObject(actions[0]).command) : undefined;
  if (only !== undefined && (command === undefined || command === only || wrappedScript(command) === only)) {
    return only;
  }
  return command;
}

/** The script of `sh -c SCRIPT` (bash, zsh, `-lc`, with or without a path) when SCRIPT is one shell word. */
export function wrappedScript(command: string): string | undefined {
  const m = /^(?:\/(?:usr\/)?bin\/)?(?:ba|z)?sh -l?c (.+)$/s.exec(command);
  return m ? oneWord(m[1]!) : undefined;
}

/** The value of `text` as one POSIX shell word (quotes and backslashes removed), or undefined if it is not one. */
function oneWord(text: string): string | undefined {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      out += text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      for (i++;; i++) {
        if (i >= text.length) return undefined;
        const d = text[i]!;
        if (d === '"') break;
        if (d === "$" || d === "`") return undefined; // an expansion: not the text as written
        if (d === "\\" && text[i + 1] === "\n") i++; // a line continuation: gone
        else if (d === "\\" && i + 1 < text.length && '$`"\\'.includes(text[i + 1]!)) out += text[++i];
        else out += d;
      }
    } else if (c === "\\" && text[i + 1] === "\n") i++;
    else if (c === "\\" && i + 1 < text.length) out += text[++i];
    else if (/[A-Za-z0-9_./:@+,=%-]/.test(c)) out += c;
    else return undefined;
  }
  return out;
}

/** The paths of a file-change item. */
function changedFiles(item: Record<string, unknown> | undefined): string[] {
  const changes = arr(item?.changes);
  return changes.map((c) => str(asObject(c).path)).filter((p): p is string => p !== undefined);
}
