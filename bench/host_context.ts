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
 * Run alone: `deno run -A bench/host_context.ts` (`--tui`: the interactive
 * path, the TUI in tmux with the plugin's monitor); bench/run.ts calls
 * {@linkcode measureHostContext}.
 * @module
 */
import { createHost } from "../test/e2e/host_harness.ts";
import { REQUEST, startTui, withoutReminders } from "../test/e2e/host_harness.ts";

/** The budget from the design: start line + notices per task, plan excluded. */
export const HOST_CONTEXT_BUDGET = 600;
/** Issue 10: everything the host receives per task, wrappers included, beyond one copy of the playbook. */
export const SESSION_BUDGET_PER_TASK = 1500;
/** Per task, wrappers included, on the background-watch path when the monitor was built (stop 14). */
export const WATCH_BASELINE_PER_TASK = 3496;
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
    /** The <task-notification> turns of background watches that woke the host. */
    taskNotifications: number;
    /** Claude Code's notification around each monitor line (the line itself counts as a notice). */
    monitorWrappers: number;
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
  let monitorWrappers = 0;
  const monitorLines: string[] = [];
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
      if (text.includes("<task-notification>")) {
        // A monitor line: dispatch's text is the event; the rest is Claude Code's wrapper.
        const events = [...text.matchAll(/<event>([\s\S]*?)<\/event>/g)].map((m) => m[1]!);
        if (/<summary>Monitor event/.test(text)) {
          monitorLines.push(...events);
          monitorWrappers += bytes(text) - events.reduce((n, e) => n + bytes(e), 0);
        } else taskNotifications += bytes(text);
      }
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
  const noticeBytes = [...notices, ...monitorLines].reduce((n, t) => n + bytes(t), 0);
  const total = bytes(startLine) + noticeBytes + bytes(answerAck);
  const wrappers = hookPrefixes + watchResults + taskNotifications + monitorWrappers + resolve + commandText;
  const extraPlaybooks = Math.max(0, playbookCopies - 1) * playbookBytes;
  const perTask = tasks === 0 ? 0 : Math.round((total + wrappers + extraPlaybooks) / tasks);
  return {
    startLine: bytes(startLine),
    notices: noticeBytes,
    answerAck: bytes(answerAck),
    total,
    budget: HOST_CONTEXT_BUDGET,
    withinBudget: total <= HOST_CONTEXT_BUDGET * Math.max(1, tasks),
    deliveries: notices.length + monitorLines.length,
    overhead: { hookPrefixes, watchResults, taskNotifications, monitorWrappers, resolve },
    texts: { startLine, notices: [...notices, ...monitorLines], answerAck },
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

/**
 * The same three /dispatch calls in the interactive claude TUI (tmux), where
 * the plugin's monitor carries each question and completion as a
 * notification: nothing is re-armed, nothing typed after each /dispatch.
 * Takes about 20-30 s; needs tmux.
 */
export async function measureHostContextTui(calls = 3): Promise<HostContextFigures> {
  const host = await createHost({ watch: false });
  try {
    await using tui = await startTui(host, { args: ["--permission-mode", "default"] });
    await tui.waitScreen("the monitor", (s) => /1 monitor/.test(s) || undefined);
    const seen: string[] = [];
    for (let i = 0; i < calls; i++) {
      await tui.type(`/dispatch ${REQUEST}`);
      const id = await tui.waitScreen("a start line", (s) => {
        return [...s.matchAll(/Dispatched (\S+) \(/g)].map((m) => m[1]!).find((x) => !seen.includes(x));
      });
      seen.push(id);
      await tui.waitScreen(`${id}'s done, reported`, (s) => s.includes(`${id} finished:`) || undefined);
    }
    const last = host.mock.modelRequests().at(-1)?.body;
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
export function formatHostContext(f: HostContextFigures, host = "real claude -p, background watch"): string {
  const row = (label: string, n: number) => `  ${label.padEnd(44)}${String(n).padStart(6)} B`;
  const perLine = f.overhead.monitorWrappers > 0 ? Math.round(f.overhead.monitorWrappers / f.deliveries) : 0;
  return [
    `host context, ${f.tasks} /dispatch calls in one session (start, question, answer, done; ${host}, mock model)`,
    row("start line (dispatch start)", f.startLine),
    row(`notices (${f.deliveries} hook deliveries)`, f.notices),
    row("answer acknowledgement (dispatch answer)", f.answerAck),
    `${row("total", f.total)}   budget ${f.budget} B a task: ${f.withinBudget ? "ok" : "OVER"}`,
    "  not counted (Claude Code's text, per-request planning):",
    row("  hook prefixes", f.overhead.hookPrefixes),
    row("  watch tool results", f.overhead.watchResults),
    row("  task notifications (background watch)", f.overhead.taskNotifications),
    `${row("  monitor notification wrappers", f.overhead.monitorWrappers)}   (${perLine} B a line)`,
    row("  dispatch resolve lines", f.overhead.resolve),
    row("  /dispatch expansions", f.commandText),
    row(
      `  playbook (${f.playbook.copies} cop${f.playbook.copies === 1 ? "y" : "ies"}, bytes of one)`,
      f.playbook.bytes,
    ),
    `${row("per task, wrappers included, beyond one playbook", f.perTask)}   budget ${f.perTaskBudget} B: ${
      f.perTaskWithinBudget ? "ok" : "OVER"
    }; ${
      (f.perTask / WATCH_BASELINE_PER_TASK).toFixed(2)
    }x the watch path's ${WATCH_BASELINE_PER_TASK} B before issue 10's cut`,
  ].join("\n");
}

if (import.meta.main) {
  // --tui: the interactive path (monitor); default: claude -p with the background watch.
  const tui = Deno.args.includes("--tui");
  const figures = tui ? await measureHostContextTui() : await measureHostContext();
  console.log(formatHostContext(figures, tui ? "real claude TUI in tmux, plugin monitor" : undefined));
  if (Deno.args.includes("--verbose")) console.log(JSON.stringify(figures.texts, null, 2));
  Deno.exit(figures.withinBudget && figures.perTaskWithinBudget && figures.playbook.copies === 1 ? 0 : 1);
}
