/**
 * Bytes that enter the host's context per dispatched task, over its whole
 * lifecycle, measured from the request bodies the real `claude -p` sent to
 * the mock model: one task dispatched with /dispatch, its question woken by
 * the background `dispatch watch`, answered, finished. Counted: the start
 * line, the hook notices and the answer's acknowledgement (dispatch's own
 * text). Not counted: the plan (the host model writes it), and Claude Code's
 * own wrappers (hook prefixes, background-task notifications), which are
 * reported beside.
 *
 * Run alone: `deno run -A bench/host_context.ts`; bench/run.ts calls
 * {@linkcode measureHostContext}.
 * @module
 */
import { createHost } from "../test/e2e/host_harness.ts";
import { REQUEST, withoutReminders } from "../test/e2e/host_harness.ts";

/** The budget from the design: start line + notices per task, plan excluded. */
export const HOST_CONTEXT_BUDGET = 600;

const HEADER = "dispatch (background workers):";
const PREFIX = / hook additional context: $/;

/** What one task's lifecycle put in the host's context. */
export interface HostContextFigures {
  /** `dispatch start`'s line. */
  startLine: number;
  /** Hook context written by dispatch (header and notices), all deliveries. */
  notices: number;
  /** `dispatch answer`'s acknowledgement. */
  answerAck: number;
  /** startLine + notices + answerAck: compared with the budget. */
  total: number;
  budget: number;
  withinBudget: boolean;
  /** How many hook deliveries there were (each event once). */
  deliveries: number;
  /** Not counted: Claude Code's text around dispatch's, and per-request planning output. */
  overhead: {
    /** "UserPromptSubmit hook additional context: " and the like. */
    hookPrefixes: number;
    /** Claude Code's "Command running in background ..." results of the watch calls. */
    watchResults: number;
    /** The <task-notification> turns that woke the host. */
    taskNotifications: number;
    /** `dispatch resolve`'s JSON (once per request, shared by its tasks). */
    resolve: number;
  };
  /** The texts counted, for inspection. */
  texts: { startLine: string; notices: string[]; answerAck: string };
}

type Block = Record<string, unknown>;
type Message = { role: string; content: string | Block[] };

const bytes = (s: string) => new TextEncoder().encode(s).length;

function blockTexts(m: Message): string[] {
  if (typeof m.content === "string") return [m.content];
  return m.content.filter((b) => b.type === "text" && typeof b.text === "string").map((b) =>
    b.text as string
  );
}

function resultText(b: Block): string {
  const c = b.content;
  if (typeof c === "string") return c;
  if (Array.isArray(c)) return c.map((x: Block) => (typeof x.text === "string" ? x.text : "")).join("");
  return "";
}

/**
 * Measures one lifecycle from the last request body of a conversation (it
 * holds every earlier turn, each delivery once). Pure: tests call it on
 * bodies they captured.
 */
export function hostContextFromBody(body: unknown): HostContextFigures {
  const messages = (body as { messages?: Message[] }).messages ?? [];
  const commands = new Map<string, string>();
  let startLine = "";
  let answerAck = "";
  let watchResults = 0;
  let resolve = 0;
  let taskNotifications = 0;
  let hookPrefixes = 0;
  const notices: string[] = [];
  for (const m of messages) {
    if (Array.isArray(m.content)) {
      for (const b of m.content) {
        if (b.type === "tool_use") {
          commands.set(String(b.id), String((b.input as { command?: string }).command ?? ""));
        }
        if (b.type !== "tool_result") continue;
        const command = commands.get(String(b.tool_use_id)) ?? "";
        const text = withoutReminders(resultText(b));
        if (command.startsWith("dispatch start")) startLine = text;
        else if (command.startsWith("dispatch answer")) answerAck = text;
        else if (command.startsWith("dispatch watch")) watchResults += bytes(text);
        else if (command.startsWith("dispatch resolve")) resolve += bytes(text);
      }
    }
    for (const text of blockTexts(m)) {
      if (text.includes("<task-notification>")) taskNotifications += bytes(text);
      for (let at = text.indexOf(HEADER); at >= 0; at = text.indexOf(HEADER, at + 1)) {
        // dispatch's context is one block of single lines; Claude Code ends it with a blank line or a tag.
        const rest = text.slice(at);
        const end = rest.search(/\n\n|\n<\/system-reminder>/);
        notices.push(end < 0 ? rest : rest.slice(0, end));
        const prefix = /[A-Za-z:]+ hook additional context: $/.exec(text.slice(Math.max(0, at - 60), at));
        if (prefix && PREFIX.test(prefix[0])) hookPrefixes += bytes(prefix[0]);
      }
    }
  }
  const noticeBytes = notices.reduce((n, t) => n + bytes(t), 0);
  const total = bytes(startLine) + noticeBytes + bytes(answerAck);
  return {
    startLine: bytes(startLine),
    notices: noticeBytes,
    answerAck: bytes(answerAck),
    total,
    budget: HOST_CONTEXT_BUDGET,
    withinBudget: total <= HOST_CONTEXT_BUDGET,
    deliveries: notices.length,
    overhead: { hookPrefixes, watchResults, taskNotifications, resolve },
    texts: { startLine, notices, answerAck },
  };
}

/**
 * Runs one task's lifecycle with the real claude as host (offline, mock
 * model, scripted worker) and measures it. Takes about 5-10 s.
 */
export async function measureHostContext(): Promise<HostContextFigures> {
  const host = await createHost({ watch: true });
  try {
    const run = await host.run(`/dispatch ${REQUEST}`, { allowedTools: ["Bash(dispatch:*)"] });
    if (run.code !== 0) throw new Error(`claude -p exited ${run.code}: ${run.stderr}`);
    const last = run.requests.at(-1);
    if (!last) throw new Error("no request reached the mock");
    const figures = hostContextFromBody(last.body);
    if (!figures.startLine || figures.deliveries < 2) {
      throw new Error(`incomplete lifecycle: ${JSON.stringify(figures.texts)}`);
    }
    return figures;
  } finally {
    await host[Symbol.asyncDispose]();
  }
}

/** The figures as the lines the bench prints. */
export function formatHostContext(f: HostContextFigures): string {
  const row = (label: string, n: number) => `  ${label.padEnd(44)}${String(n).padStart(6)} B`;
  return [
    "host context per dispatched task (start, question, answer, done; real claude -p, mock model)",
    row("start line (dispatch start)", f.startLine),
    row(`notices (${f.deliveries} hook deliveries)`, f.notices),
    row("answer acknowledgement (dispatch answer)", f.answerAck),
    `${row("total", f.total)}   budget ${f.budget} B: ${f.withinBudget ? "ok" : "OVER"}`,
    "  not counted (Claude Code's text, per-request planning):",
    row("  hook prefixes", f.overhead.hookPrefixes),
    row("  watch tool results", f.overhead.watchResults),
    row("  task notifications", f.overhead.taskNotifications),
    row("  dispatch resolve JSON (per request)", f.overhead.resolve),
  ].join("\n");
}

if (import.meta.main) {
  const figures = await measureHostContext();
  console.log(formatHostContext(figures));
  if (Deno.args.includes("--verbose")) console.log(JSON.stringify(figures.texts, null, 2));
  Deno.exit(figures.withinBudget ? 0 : 1);
}
