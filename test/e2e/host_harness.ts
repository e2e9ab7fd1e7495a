/**
 * The real `claude -p` as the host of this plugin (`--plugin-dir` = this
 * repository), offline against the mock Anthropic server, with a scripted
 * "host model" that follows the dispatch playbook deterministically. Used by
 * the host end-to-end tests and by bench/host_context.ts.
 *
 * Why not test/mock/run_cli.ts: it kills every process the CLI started when
 * the run ends, and dispatch's workers must outlive a host turn (a question
 * asked in one turn is answered in the next).
 * @module
 */
import { startMockServer } from "../mock/mock_server.ts";
import type { MockServer, NormalizedRequest, RecordedRequest, Reply } from "../mock/mock_server.ts";
import { claudeEnv, cliPath, prepareHome } from "../mock/cli_env.ts";
import { BIN, ROOT, runBin, type RunResult, waitFor } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";

/** The question the scripted worker asks; unique enough to count in request bodies. */
export const QUESTION = "Which license header should the new files carry, MIT or Apache-2.0?";
/** What the scripted host model answers. */
export const ANSWER = "Apache-2.0, with the year 2026";
/** The model the request names; the config's default is another one, which fails at once. */
export const MODEL = "scripted-host";
/** The request given to /dispatch. */
export const REQUEST = `have ${MODEL} add license headers to every source file`;
/** The task title the scripted host model uses. */
export const TITLE = "License headers";

/** The scripted worker: ticks, asks, ticks the rest after the answer, writes its summary. */
export const SCENARIO = `say Reading the plan
tick
ask ${QUESTION}
tick all
summary Added headers to 3 files with the license the user chose.
`;

/** A checklist the scripted host model writes (the plan, excluded from context figures). */
export const PLAN = `- [ ] List the source files under src/ that lack a license header
- [ ] Add the header the user chooses to each of them
- [ ] Run the tests; summary: files changed and the header used`;

/** How the scripted host model behaves. */
export interface BrainOptions {
  /** Arm `dispatch watch` in the background after starting and after answering. */
  watch: boolean;
  /** Answer with the reply on stdin (a heredoc) instead of a quoted argument. */
  answerOnStdin?: boolean;
  /** Another script for the host model (instead of the playbook's). */
  brain?: (req: NormalizedRequest) => Reply;
}

/** One `claude -p` run. */
export interface HostRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  sessionId: string;
  /** The model requests the mock received during this run, in order. */
  requests: RecordedRequest[];
  /** The final `result` text. */
  result: string;
}

/** Options of {@linkcode Host.run}. */
export interface RunOptions {
  resume?: string;
  /** Extra `--allowedTools` (permission rules the user would have granted). */
  allowedTools?: string[];
  model?: string;
  timeoutMs?: number;
  /** Added to the environment of this run only. */
  env?: Record<string, string>;
  /** Extra arguments for claude (e.g. `--permission-mode default`). */
  args?: string[];
}

/** A host world: mock, claude config home, dispatch home, project. */
export interface Host extends AsyncDisposable {
  mock: MockServer;
  claudeHome: string;
  dispatchHome: string;
  project: string;
  /** The environment claude runs with (the hooks and the Bash tool inherit it). */
  env: Record<string, string>;
  run(prompt: string, opts?: RunOptions): Promise<HostRun>;
  /** Runs bin/dispatch in the project with this host's DISPATCH_HOME. */
  dispatch(args: string[], stdin?: string): Promise<RunResult>;
  /** Journal events as objects. */
  journal(): Promise<Record<string, unknown>[]>;
  /** Waits for a journal event of `type` (for `task` when given). */
  waitForEvent(type: string, task?: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

type Json = Record<string, unknown>;
type Message = { role: string; content: string | Json[] };

/** Every text of a message: string content, text blocks, tool results. */
function messageTexts(m: Message): string[] {
  if (typeof m.content === "string") return [m.content];
  const out: string[] = [];
  for (const b of m.content) {
    if (b.type === "text" && typeof b.text === "string") out.push(b.text);
    if (b.type === "tool_result") {
      const c = b.content;
      if (typeof c === "string") out.push(c);
      else if (Array.isArray(c)) { for (const x of c) if (typeof x.text === "string") out.push(x.text); }
    }
  }
  return out;
}

function isToolResultMessage(m: Message): boolean {
  return Array.isArray(m.content) && m.content.some((b) => b.type === "tool_result");
}

/**
 * The current turn of a request: the messages from the newest prompt (a user
 * message that is not a tool result: a typed prompt, a slash command or a
 * background-task notification) to the end. Hook context lands in that
 * message (system reminders) or in a role:system message after it, so both
 * placements are inside the slice.
 */
export function currentTurn(body: unknown): Message[] {
  const messages = (body as { messages?: Message[] }).messages ?? [];
  let start = 0;
  messages.forEach((m, i) => {
    if (m.role === "user" && !isToolResultMessage(m)) start = i;
  });
  return messages.slice(start);
}

/** Every text of a request body's messages (prompts, hook context, tool results), one per line. */
export function conversationText(body: unknown): string {
  return ((body as { messages?: Message[] }).messages ?? []).flatMap(messageTexts).join("\n");
}

/** The Bash commands the assistant ran in a turn, in order. */
function turnCommands(turn: Message[]): { command: string; background: boolean }[] {
  const out: { command: string; background: boolean }[] = [];
  for (const m of turn) {
    if (m.role !== "assistant" || typeof m.content === "string") continue;
    for (const b of m.content) {
      if (b.type !== "tool_use" || b.name !== "Bash") continue;
      const input = b.input as { command?: string; run_in_background?: boolean };
      out.push({ command: input.command ?? "", background: input.run_in_background === true });
    }
  }
  return out;
}

/** A Bash tool call as the scripted model makes it (in the background when asked). */
export function bash(command: string, background = false): Reply {
  return {
    tool: {
      name: "Bash",
      input: {
        command,
        description: background ? "Wait for dispatch workers" : "dispatch",
        ...(background ? { run_in_background: true } : {}),
      },
    },
  };
}

/**
 * A question notice as the hooks render it (two lines) or as a monitor line
 * reaches the model (one line, `<` escaped in Claude Code's event tag): task,
 * number, the exact answer command.
 */
const QUESTION_NOTICE =
  /\? (\S+) asks \(question (\d+)\): ".*"\s+Reply with: (dispatch answer \S+ --question \d+) "(?:<|&lt;)answer(?:>|&gt;)"/;
const DONE_NOTICE = /✓ (\S+) done.*Result: (\S+)/;

/**
 * The scripted host model. It reads only the request, so retries and resumed
 * sessions cannot shift it, and it follows the playbook: resolve the model,
 * start with one call, report, watch; answer questions with
 * the command from the notice; report completions.
 */
export function hostBrain(opts: BrainOptions) {
  return (req: NormalizedRequest): Reply => {
    if (req.toolNames.length === 0) return { text: "side reply" };
    const turn = currentTurn(req.raw);
    const text = turn.flatMap(messageTexts).join("\n");
    const ran = turnCommands(turn);
    const did = (prefix: string) => ran.some((r) => r.command.startsWith(prefix));
    const results = req.turnToolResults;

    if (/<command-name>\/dispatch(:dispatch)?<\/command-name>/.test(text)) {
      const request = /Request: (.*)/.exec(text)?.[1]?.trim() ?? "";
      if (request === "") {
        if (!did("dispatch config init")) return bash("dispatch config init");
        if (!did("dispatch config show")) return bash("dispatch config show");
        return { text: "dispatch is ready." };
      }
      if (!did("dispatch resolve")) return bash(`dispatch resolve "${request}"`);
      if (!did("dispatch start")) {
        const flag = results.map(resolvedFlag).find((c) => c);
        const model = flag ? ` ${flag}` : "";
        return bash(`dispatch start --title "${TITLE}"${model} --plan - <<'PLAN'\n${PLAN}\nPLAN`);
      }
      const id = results.map((r) => /Dispatched (\S+) /.exec(r)?.[1]).find((x) => x) ?? "?";
      if (opts.watch && !did("dispatch watch")) return bash("dispatch watch", true);
      return { text: `${id}: ${TITLE}` };
    }
    if (/<command-name>\/dispatch(:dispatch)?-status<\/command-name>/.test(text)) {
      return { text: "Board shown." };
    }
    const question = QUESTION_NOTICE.exec(text);
    if (question && !did("dispatch answer")) {
      return bash(
        opts.answerOnStdin ? `${question[3]} <<'ANSWER'\n${ANSWER}\nANSWER` : `${question[3]} "${ANSWER}"`,
      );
    }
    const done = DONE_NOTICE.exec(text);
    if (question && opts.watch && !done && !did("dispatch watch")) return bash("dispatch watch", true);
    if (done) return { text: `${done[1]} finished: ${done[2]}` };
    return { text: question ? "Answer sent." : "Nothing new." };
  };
}

/** A tool output without the <system-reminder> blocks some models get appended to it. */
export function withoutReminders(text: string): string {
  return text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, "").trim();
}

/** The start flag of a `dispatch resolve` line, when `out` is one and names a model without asking. */
function resolvedFlag(out: string): string | undefined {
  const line = withoutReminders(out);
  const m = /^(--(?:model|alias) \S+) \(/.exec(line);
  return m && !line.includes("default: nothing named") ? m[1] : undefined;
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

/** Creates a host world whose config maps the default model to the scripted worker. */
export async function createHost(opts: BrainOptions): Promise<Host> {
  const dirs = [
    await tempDir("dispatch-host-claude-"),
    await tempDir("dispatch-host-home-"),
    await tempDir("dispatch-host-project-"),
  ];
  const [claudeHome, dispatchHome, project] = dirs.map((d) => d.path) as [string, string, string];
  await Deno.mkdir(`${project}/.git`);
  await prepareHome("claude", claudeHome);
  await Deno.writeTextFile(`${dispatchHome}/scenario.txt`, SCENARIO);
  await Deno.writeTextFile(`${dispatchHome}/wrong.txt`, "say the request named another model\nexit 3\n");
  await Deno.writeTextFile(
    `${dispatchHome}/config.yaml`,
    [
      "default: scripted-default",
      "backends:",
      `  ${MODEL}: { type: scripted, scenario: ${dispatchHome}/scenario.txt }`,
      `  scripted-default: { type: scripted, scenario: ${dispatchHome}/wrong.txt }`,
      "models:",
      `  ${MODEL}: { backend: ${MODEL} }`,
      "  scripted-default: { backend: scripted-default }",
      "",
    ].join("\n"),
  );
  const baseEnv = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: claudeHome,
    DISPATCH_HOME: dispatchHome,
  };
  const mock = await startMockServer({ script: opts.brain ?? hostBrain(opts) });
  const env: Record<string, string> = {
    ...claudeEnv(claudeHome, mock.url),
    DISPATCH_HOME: dispatchHome,
    // The supervisor notices a worker's exit within 100 ms instead of 1 s.
    DISPATCH_TICK_MS: "100",
  };
  // Drop the recipe's permission bypass: these tests prove what the plugin pre-approves.
  delete env.IS_SANDBOX;

  const host: Host = {
    mock,
    claudeHome,
    dispatchHome,
    project,
    env,
    async run(prompt, o = {}) {
      const before = mock.modelRequests().length;
      const args = [
        "-p",
        prompt,
        "--output-format",
        "stream-json",
        "--verbose",
        "--model",
        o.model ?? "mock-model",
        "--plugin-dir",
        ROOT,
        ...(o.allowedTools?.length ? ["--allowedTools", o.allowedTools.join(",")] : []),
        ...(o.resume ? ["--resume", o.resume] : []),
        ...(o.args ?? []),
      ];
      const started = performance.now();
      const child = new Deno.Command(cliPath("claude"), {
        args,
        cwd: project,
        env: { ...env, ...o.env },
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        detached: true,
      }).spawn();
      const timer = setTimeout(() => {
        try {
          Deno.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, o.timeoutMs ?? 60_000);
      const [stdout, stderr, status] = await Promise.all([
        collect(child.stdout),
        collect(child.stderr),
        child.status,
      ]);
      clearTimeout(timer);
      const events = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Json);
      const result = events.findLast((e) => e.type === "result");
      return {
        code: status.code,
        stdout,
        stderr,
        ms: Math.round(performance.now() - started),
        sessionId: String(result?.session_id ?? events.find((e) => e.session_id)?.session_id ?? ""),
        requests: mock.modelRequests().slice(before),
        result: String(result?.result ?? ""),
      };
    },
    dispatch: (args, stdin) => runBin(args, { ...baseEnv, DISPATCH_TICK_MS: "100" }, { cwd: project, stdin }),
    async journal() {
      const text = await Deno.readTextFile(`${dispatchHome}/journal.jsonl`).catch(() => "");
      return text.split("\n").filter((l) => l).map((l) => JSON.parse(l));
    },
    waitForEvent(type, task, timeoutMs = 30_000) {
      return waitFor(`a '${type}' event${task ? ` of ${task}` : ""}`, async () => {
        return (await host.journal()).find((e) => e.type === type && (!task || e.task === task));
      }, timeoutMs);
    },
    async [Symbol.asyncDispose]() {
      await runBin(["cancel", "--all"], baseEnv, { cwd: project }).catch(() => {});
      await mock[Symbol.asyncDispose]();
      for (const dir of dirs) await dir[Symbol.asyncDispose]();
    },
  };
  return host;
}

/** The raw JSON text of every request, for whole-body assertions. */
export function bodies(requests: RecordedRequest[]): string[] {
  return requests.map((r) => r.text);
}

/** Occurrences of `needle` in `haystack`. */
export function count(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** `s` as it appears inside a JSON string (the request bodies are JSON). */
export function jsonText(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

export { BIN, ROOT };

/** The interactive claude TUI of a host world, in a tmux pane. */
export interface Tui extends AsyncDisposable {
  /** The pane's text, scrollback included. */
  screen(): Promise<string>;
  /** Polls the pane until `accept` returns a value; fails at once on a permission prompt or a dead pane. */
  waitScreen<T>(what: string, accept: (screen: string) => T | undefined, timeoutMs?: number): Promise<T>;
  /** Types `text` and presses Enter. */
  type(text: string): Promise<void>;
  /** Ends the session with /exit and waits for claude to exit; its exit code. */
  exit(timeoutMs?: number): Promise<number>;
}

/** True when tmux is on PATH (the TUI tests skip without it). */
export function tmuxInstalled(): boolean {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

/** What a permission prompt looks like in the 2.1.330 TUI. */
const PERMISSION_PROMPT = /Do you want to proceed\?|don't ask again/;

/**
 * Marks the first-run screens done and `project` trusted in claude's global
 * config (`$CLAUDE_CONFIG_DIR/.claude.json`), so the TUI opens straight on the
 * prompt offline: without `hasCompletedOnboarding` it tries api.anthropic.com,
 * without the key approved it asks about it, without `fullscreenUpsellSeenCount`
 * it offers the fullscreen renderer, without the project's trust it asks that.
 */
async function seedTuiConfig(claudeHome: string, project: string, apiKey: string): Promise<void> {
  const file = `${claudeHome}/.claude/.claude.json`;
  const old = JSON.parse(await Deno.readTextFile(file).catch(() => "{}"));
  const config = {
    ...old,
    hasCompletedOnboarding: true,
    lastReleaseNotesSeen: "2.1.330",
    fullscreenUpsellSeenCount: 3,
    hasSeenTasksHint: true,
    officialMarketplaceAutoInstallAttempted: true,
    customApiKeyResponses: { approved: [apiKey.slice(-20)], rejected: [] },
    projects: {
      ...old.projects,
      [project]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] },
    },
  };
  await Deno.writeTextFile(file, JSON.stringify(config));
}

function tmux(socket: string, args: string[]): Promise<Deno.CommandOutput> {
  return new Deno.Command("tmux", { args: ["-S", socket, ...args], stdout: "piped", stderr: "piped" })
    .output();
}

/**
 * Starts the interactive claude of `host` (200×50, `--plugin-dir` this
 * repository) in its own tmux server, past the first-run screens. `args`
 * add to claude's (e.g. `--permission-mode default`); `env` to its
 * environment.
 */
export async function startTui(
  host: Host,
  opts: { args?: string[]; env?: Record<string, string>; name?: string } = {},
): Promise<Tui> {
  const name = opts.name ?? "tui";
  await seedTuiConfig(host.claudeHome, host.project, host.env.ANTHROPIC_API_KEY ?? "");
  const dir = `${host.claudeHome}/tmux-${name}`;
  await Deno.mkdir(dir, { recursive: true });
  const socket = `${dir}/sock`;
  const env = { ...host.env, TERM: "xterm-256color", ...opts.env };
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const argv = [cliPath("claude"), "--model", "mock-model", "--plugin-dir", ROOT, ...(opts.args ?? [])];
  const script = `cd ${quote(host.project)} && env -i ${
    Object.entries(env).map(([k, v]) => quote(`${k}=${v}`)).join(" ")
  } ${argv.map(quote).join(" ")}\necho $? > ${quote(`${dir}/exit_code`)}\n`;
  await Deno.writeTextFile(`${dir}/run.sh`, script);
  const started = await tmux(socket, [
    "new-session",
    "-d",
    "-x",
    "200",
    "-y",
    "50",
    "-s",
    name,
    `bash ${dir}/run.sh`,
  ]);
  if (!started.success) {
    throw new Error(`tmux new-session failed: ${new TextDecoder().decode(started.stderr)}`);
  }
  const exitCode = async () => {
    const text = await Deno.readTextFile(`${dir}/exit_code`).catch(() => undefined);
    return text === undefined ? undefined : Number(text.trim());
  };
  let last = "";
  const tui: Tui = {
    async screen() {
      const out = await tmux(socket, ["capture-pane", "-p", "-J", "-S", "-3000", "-t", name]);
      if (out.success) last = new TextDecoder().decode(out.stdout);
      return last;
    },
    waitScreen(what, accept, timeoutMs = 30_000) {
      return waitFor(what, async () => {
        const screen = await tui.screen();
        if (PERMISSION_PROMPT.test(screen)) {
          throw new Error(`A permission prompt while waiting for ${what}:\n${screen}`);
        }
        const v = accept(screen);
        if (v !== undefined) return v;
        const code = await exitCode();
        if (code !== undefined) throw new Error(`claude exited ${code} while waiting for ${what}:\n${last}`);
        return undefined;
      }, timeoutMs).catch((e) => {
        throw new Error(`${(e as Error).message}\n--- screen ---\n${last}`);
      });
    },
    async type(text) {
      const tail = text.slice(-24);
      const before = count(await tui.screen(), tail);
      await tmux(socket, ["send-keys", "-t", name, "-l", text]);
      // Enter only once the text is in the prompt box: sent with it, it can land before the paste ends.
      await waitFor(
        `'${tail}' in the prompt`,
        async () => count(await tui.screen(), tail) > before || undefined,
        10_000,
      );
      await tmux(socket, ["send-keys", "-t", name, "Enter"]);
    },
    async exit(timeoutMs = 15_000) {
      await tui.type("/exit");
      return await waitFor("claude to exit", exitCode, timeoutMs);
    },
    async [Symbol.asyncDispose]() {
      await tmux(socket, ["kill-server"]).catch(() => undefined);
    },
  };
  return tui;
}
