/**
 * Bytes that enter the host's context per dispatched task, over its whole
 * lifecycle, measured from the request bodies the real `claude -p` sent to
 * the mock model: three /dispatch calls in one session, each starting a
 * task whose question is woken by the background `dispatch watch`, answered,
 * finished. Counted against {@linkcode HOST_CONTEXT_BUDGET}: the start lines,
 * the hook notices and the answers' acknowledgements (dispatch's own text).
 * Counted against {@linkcode SESSION_BUDGET_PER_TASK}: all of that plus the
 * wrappers (resolve lines, the /dispatch expansions, Claude Code's hook
 * prefixes, background-task results and notifications), beyond one copy of
 * the playbook, which must reach the session once. Not counted: the plan
 * (the host model writes it).
 *
 * Run alone: `deno run -A bench/host_context.ts`; bench/run.ts calls
 * {@linkcode measureHostContext}.
 * @module
 */
import { createHost } from "../test/e2e/host_harness.ts";
import { REQUEST, withoutReminders } from "../test/e2e/host_harness.ts";

/** The budget from the design: start line + notices per task, plan excluded. */
export const HOST_CONTEXT_BUDGET = 600;
/** Issue 10: everything the host receives per task, wrappers included, beyond one copy of the playbook. */
export const SESSION_BUDGET_PER_TASK = 1500;
const PLAYBOOK_HEADING = "# dispatch: you orchestrate, workers work";

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
  /** startLine + notices + answerAck: compared with the budget times the tasks. */
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
  /** Tasks started in the conversation. */
  tasks: number;
  /** The playbook: how many copies the conversation holds, and the bytes of one. */
  playbook: { copies: number; bytes: number };
  /** The /dispatch expansions (Claude Code's command tags and the command's text), all calls. */
  commandText: number;
  /** Everything above and the overhead, less one playbook copy, per task; compared with the session budget. */
  perTask: number;
  perTaskBudget: number;
  perTaskWithinBudget: boolean;
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
  let tasks = 0;
  let commandText = 0;
  let playbookCopies = 0;
  let playbookBytes = 0;
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
        if (command.startsWith("dispatch start")) {
          startLine += (startLine ? "\n" : "") + text;
          tasks++;
        } else if (command.startsWith("dispatch answer")) answerAck += (answerAck ? "\n" : "") + text;
        else if (command.startsWith("dispatch watch")) watchResults += bytes(text);
        else if (command.startsWith("dispatch resolve")) resolve += bytes(text);
      }
    }
    for (const text of blockTexts(m)) {
      if (text.includes("<task-notification>")) taskNotifications += bytes(text);
      if (/<command-(message|name|args)>|^Request: /.test(text)) commandText += bytes(text);
      for (let at = text.indexOf(PLAYBOOK_HEADING); at >= 0; at = text.indexOf(PLAYBOOK_HEADING, at + 1)) {
        playbookCopies++;
        // The playbook runs to the end of its hook context (a blank line and Claude Code's next section).
        const rest = text.slice(at);
        const end = rest.search(/\n\n(?:# Environment|UserPrompt|Today's date)|<\/system-reminder>/);
        playbookBytes = Math.max(playbookBytes, bytes(end < 0 ? rest : rest.slice(0, end)));
      }
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
  const wrappers = hookPrefixes + watchResults + taskNotifications + resolve + commandText;
  const extraPlaybooks = Math.max(0, playbookCopies - 1) * playbookBytes;
  const perTask = tasks === 0 ? 0 : Math.round((total + wrappers + extraPlaybooks) / tasks);
  return {
    startLine: bytes(startLine),
    notices: noticeBytes,
    answerAck: bytes(answerAck),
    total,
    budget: HOST_CONTEXT_BUDGET,
    withinBudget: total <= HOST_CONTEXT_BUDGET * Math.max(1, tasks),
    deliveries: notices.length,
    overhead: { hookPrefixes, watchResults, taskNotifications, resolve },
    texts: { startLine, notices, answerAck },
    tasks,
    playbook: { copies: playbookCopies, bytes: playbookBytes },
    commandText,
    perTask,
    perTaskBudget: SESSION_BUDGET_PER_TASK,
    perTaskWithinBudget: perTask <= SESSION_BUDGET_PER_TASK,
  };
}

/**
 * Runs three /dispatch calls in one session with the real claude as host
 * (offline, mock model, scripted worker; no permission rule granted: the
 * plugin's PreToolUse hook approves its commands), each a task's whole
 * lifecycle, and measures the conversation. Takes about 15-30 s.
 */
export async function measureHostContext(calls = 3): Promise<HostContextFigures> {
  const host = await createHost({ watch: true });
  try {
    let session: string | undefined;
    let last: unknown;
    for (let i = 0; i < calls; i++) {
      const run = await host.run(`/dispatch ${REQUEST}`, {
        args: ["--permission-mode", "default"],
        ...(session ? { resume: session } : {}),
      });
      if (run.code !== 0) throw new Error(`claude -p exited ${run.code}: ${run.stderr}`);
      session = run.sessionId;
      last = run.requests.at(-1)?.body;
    }
    if (!last) throw new Error("no request reached the mock");
    const figures = hostContextFromBody(last);
    if (figures.tasks !== calls || figures.deliveries < 2 * calls) {
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
    `host context, ${f.tasks} /dispatch calls in one session (start, question, answer, done; real claude -p, mock model)`,
    row("start line (dispatch start)", f.startLine),
    row(`notices (${f.deliveries} hook deliveries)`, f.notices),
    row("answer acknowledgement (dispatch answer)", f.answerAck),
    `${row("total", f.total)}   budget ${f.budget} B a task: ${f.withinBudget ? "ok" : "OVER"}`,
    "  not counted (Claude Code's text, per-request planning):",
    row("  hook prefixes", f.overhead.hookPrefixes),
    row("  watch tool results", f.overhead.watchResults),
    row("  task notifications", f.overhead.taskNotifications),
    row("  dispatch resolve lines", f.overhead.resolve),
    row("  /dispatch expansions", f.commandText),
    row(
      `  playbook (${f.playbook.copies} cop${f.playbook.copies === 1 ? "y" : "ies"}, bytes of one)`,
      f.playbook.bytes,
    ),
    `${row("per task, wrappers included, beyond one playbook", f.perTask)}   budget ${f.perTaskBudget} B: ${
      f.perTaskWithinBudget ? "ok" : "OVER"
    }`,
  ].join("\n");
}

if (import.meta.main) {
  const figures = await measureHostContext();
  console.log(formatHostContext(figures));
  if (Deno.args.includes("--verbose")) console.log(JSON.stringify(figures.texts, null, 2));
  Deno.exit(figures.withinBudget && figures.perTaskWithinBudget && figures.playbook.copies === 1 ? 0 : 1);
}
