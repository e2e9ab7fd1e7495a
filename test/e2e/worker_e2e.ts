/**
 * Shared pieces of the end-to-end tests in which a REAL worker CLI runs a
 * dispatch task offline against the mock model server:
 *
 * - {@linkcode mockBackend}: the `backends.<cli>` entry of config.yaml that
 *   points the CLI at the mock, with `env` and `args` only, exactly as a
 *   user points it at a gateway or a local model server.
 * - {@linkcode workerScript}: the scripted model. It reads the plan, ticks
 *   items, runs `dispatch ask`, writes the summary, with each CLI's own
 *   tools: file tools where the CLI has them (so the read tier, which
 *   allows no shell but `dispatch ask`, works as for a real model), the
 *   shell for codex. Paths come from the worker prompt, as a real model
 *   would read them; it keeps no state: the step is the number of tool
 *   results in the current turn.
 * - {@linkcode happyPath}, {@linkcode askExitResume}, {@linkcode cancelKillsTree}:
 *   the scenarios every CLI's test file runs.
 * - {@linkcode workerSandbox}: a temp DISPATCH_HOME, project and CLI home,
 *   the mock server, and cleanup.
 * @module
 */
import assert from "node:assert/strict";
import {
  claudeEnv,
  codexEnv,
  geminiEnv,
  MOCK_MODEL,
  opencodeEnv,
  prepareHome,
  qwenEnv,
} from "../mock/cli_env.ts";
import { type MockServer, startMockServer } from "../mock/mock_server.ts";
import { SIDE_CALL_TEXT } from "../mock/script.ts";
import type { NormalizedRequest, Reply, Script } from "../mock/types.ts";
import {
  processesOfTask,
  type Sandbox,
  sandbox,
  taskStatus,
  waitFor,
  waitForNoProcesses,
  waitForStatus,
} from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { findBwrap } from "../../src/proc/confine.ts";

/** The CLIs that run for real against the mock. */
export type RealCli = "claude" | "codex" | "gemini" | "opencode" | "qwen";

/** Absolute path of a pinned CLI. */
export function pinnedCli(cli: RealCli): string {
  return new URL(`../clis/node_modules/.bin/${cli}`, import.meta.url).pathname;
}

/** True when the pinned CLI is installed (the tests are skipped otherwise). */
export function installed(cli: RealCli): boolean {
  try {
    return Deno.statSync(pinnedCli(cli)).isFile;
  } catch {
    return false;
  }
}

/** A `backends.<cli>` entry plus the model id the CLI is given. */
export interface MockBackend {
  backend: { type: string; bin: string; env: Record<string, string>; args: string[] };
  modelId: string;
}

/** The CLI's environment from the recipes, minus what the worker inherits anyway. */
function withoutBase(env: Record<string, string>): Record<string, string> {
  const out = { ...env };
  for (const k of ["PATH", "LANG", "TERM", "NO_COLOR"]) delete out[k];
  return out;
}

/**
 * The config entry that points `cli` at the mock at `url`, its state in
 * `cliHome`. Only `env` and `args`: what a user would write for a gateway.
 */
export function mockBackend(cli: RealCli, url: string, cliHome: string): MockBackend {
  const bin = pinnedCli(cli);
  switch (cli) {
    case "claude":
      return {
        backend: { type: "claude", bin, env: withoutBase(claudeEnv(cliHome, url)), args: [] },
        modelId: MOCK_MODEL,
      };
    case "codex":
      return {
        backend: {
          type: "codex",
          bin,
          env: withoutBase(codexEnv(cliHome, url)),
          args: [
            "model_provider=mock",
            "model_providers.mock.name=mock",
            `model_providers.mock.base_url="${url}/v1"`,
            "model_providers.mock.wire_api=responses",
            "model_providers.mock.env_key=MOCK_API_KEY",
            "model_providers.mock.request_max_retries=0",
            "model_providers.mock.stream_max_retries=0",
            "check_for_update_on_startup=false",
            "features.plugins=false",
          ].flatMap((c) => ["-c", c]),
        },
        modelId: MOCK_MODEL,
      };
    case "gemini":
      return {
        backend: { type: "gemini", bin, env: withoutBase(geminiEnv(cliHome, url)), args: [] },
        modelId: MOCK_MODEL,
      };
    case "opencode":
      return {
        backend: { type: "opencode", bin, env: withoutBase(opencodeEnv(cliHome, url)), args: [] },
        modelId: `mock/${MOCK_MODEL}`,
      };
    case "qwen":
      return {
        backend: {
          type: "qwen",
          bin,
          env: withoutBase(qwenEnv(cliHome, url)),
          args: ["--auth-type", "openai", "--openai-base-url", `${url}/v1`, "--openai-api-key", "mock-key"],
        },
        modelId: MOCK_MODEL,
      };
  }
}

/** The config.yaml text (JSON is YAML) with model `m` on `cli` via the mock. */
export function mockConfig(
  cli: RealCli,
  url: string,
  cliHome: string,
  extraEnv: Record<string, string> = {},
): string {
  const { backend, modelId } = mockBackend(cli, url, cliHome);
  backend.env = { ...backend.env, ...extraEnv };
  return JSON.stringify(
    { default: "m", backends: { [cli]: backend }, models: { m: { backend: cli, model: modelId } } },
    null,
    2,
  ) +
    "\n";
}

/** What the prompt names: the plan, the summary file, the helper. */
export interface PromptPaths {
  plan: string;
  output: string;
  bin: string;
  task: string;
}

/** Reads the paths from the worker prompt, wherever it is in the conversation. */
export function promptPaths(req: NormalizedRequest): PromptPaths | undefined {
  const all = req.texts.join("\n");
  const plan = /Your plan is the checklist in (\/\S+?)\. Read it first/.exec(all)?.[1];
  const output = /write a short summary \(.*?\) to (\/\S+?)\.\s*$/m.exec(all)?.[1];
  const bin = /^\s+(\/\S+) ask "<your question>"/m.exec(all)?.[1];
  const task = /You are a background worker \(task ([a-z0-9-]+):/.exec(all)?.[1];
  if (!plan || !output || !bin || !task) return undefined;
  return { plan, output, bin, task };
}

/** One thing the scripted model does. */
export type Action =
  | { read: true }
  | { tick: string }
  | { ask: string; timeout?: string }
  | { write: string }
  | { shell: string };

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function pathKey(req: NormalizedRequest, tool: string): string {
  const props = Object.keys(
    (req.toolSchemas[tool] as { properties?: Record<string, unknown> })?.properties ?? {},
  );
  return ["file_path", "absolute_path", "filePath", "path"].find((k) => props.includes(k)) ?? "file_path";
}

/** Turns an action into `cli`'s own tool call. */
export function toolCall(cli: RealCli, req: NormalizedRequest, p: PromptPaths, a: Action): Reply {
  if ("shell" in a) return { shell: a.shell };
  if ("ask" in a) {
    const cmd = `${p.bin} ask ${a.timeout ? `--timeout ${a.timeout} ` : ""}${quote(a.ask)}`;
    // codex hands a still-running command back to the model after 10 s; an answer can take longer.
    if (cli === "codex") return { tool: { name: "exec_command", input: { cmd, yield_time_ms: 120_000 } } };
    return { shell: cmd };
  }
  // codex offers no file tools for an unknown model: everything goes through its shell.
  if (cli === "codex") {
    if ("read" in a) return { shell: `cat ${quote(p.plan)}` };
    if ("tick" in a) return { shell: `sed -i 's/- \\[ \\] ${a.tick}/- [x] ${a.tick}/' ${quote(p.plan)}` };
    return { shell: `printf '%s\\n' ${quote(a.write)} > ${quote(p.output)}` };
  }
  if (cli === "opencode") {
    if ("read" in a) return { tool: { name: "read", input: { filePath: p.plan } } };
    if ("tick" in a) {
      return {
        tool: {
          name: "edit",
          input: { filePath: p.plan, oldString: `- [ ] ${a.tick}`, newString: `- [x] ${a.tick}` },
        },
      };
    }
    return { tool: { name: "write", input: { filePath: p.output, content: a.write + "\n" } } };
  }
  if ("read" in a) {
    if (cli === "claude") return { tool: { name: "Read", input: { "file_path": p.plan } } };
    return { tool: { name: "read_file", input: { [pathKey(req, "read_file")]: p.plan } } };
  }
  if ("tick" in a) {
    const input = { "file_path": p.plan, "old_string": `- [ ] ${a.tick}`, "new_string": `- [x] ${a.tick}` };
    if (cli === "claude") return { tool: { name: "Edit", input } };
    if (cli === "gemini") {
      return { tool: { name: "replace", input: { ...input, instruction: "Tick the item." } } };
    }
    return { tool: { name: "edit", input } };
  }
  const input = { "file_path": p.output, content: a.write + "\n" };
  return { tool: { name: cli === "claude" ? "Write" : "write_file", input } };
}

/** The text every resumed turn starts with (runtime/resume.ts). */
export const RESUMED = "The user answered your question";

/**
 * The scripted model: `steps(turn)` for the first turn (`resumed` false)
 * and for a turn after a resume, then `finalText`.
 */
export function workerScript(
  cli: RealCli,
  steps: (resumed: boolean) => Action[],
  finalText = "Done: both items ticked and the summary written.",
): Script {
  return (req) => {
    if (req.toolNames.length === 0) return { text: SIDE_CALL_TEXT };
    const paths = promptPaths(req);
    if (!paths) return { text: "mock: no dispatch prompt found in the conversation" };
    const list = steps(req.lastUserText.includes(RESUMED));
    const action = list[req.turnToolResults.length];
    return action === undefined ? { text: finalText } : toolCall(cli, req, paths, action);
  };
}

/** The plan every test uses. */
export const TWO_ITEMS = "# Plan\n- [ ] first\n- [ ] second\n";

/** The whole happy path in one turn. */
export const HAPPY: Action[] = [
  { read: true },
  { tick: "first" },
  { ask: "Which database should I use?" },
  { tick: "second" },
  { write: "Ticked both items; the user chose the database." },
];

/** A session id in UUID form, as claude, gemini and qwen report it. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A sandbox with a real CLI behind the mock; `await using` tears all of it down. */
export interface WorkerSandbox extends AsyncDisposable {
  sb: Sandbox;
  server: MockServer;
  cliHome: string;
  /** Starts a task on model `m`; resolves with its id. */
  start(title: string, extra?: string[], env?: Record<string, string>): Promise<string>;
  /** Status JSON of a task. */
  status(id: string): Promise<Record<string, unknown>>;
  /** Waits until the task is in one of `states`. */
  waitState(id: string, states: string[], timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Waits until the current run's exit code is recorded (the worker process has ended). */
  waitExited(id: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Creates the sandbox for `cli` with `script` (replace it later with `server.setScript`). */
export async function workerSandbox(
  cli: RealCli,
  script: Script,
  opts: { extraEnv?: Record<string, string> } = {},
): Promise<WorkerSandbox> {
  const server = await startMockServer({ script });
  const cliHomeDir = await tempDir(`dispatch-e2e-${cli}-`);
  const cliHome = cliHomeDir.path;
  await prepareHome(cli, cliHome);
  const sb = await sandbox(mockConfig(cli, server.url, cliHome, opts.extraEnv));
  // The bubblewrap codex bundles confines the CLIs that have no sandbox of their own (src/proc/confine.ts).
  const bwrap = findBwrap({ PATH: new URL("../clis/node_modules/.bin", import.meta.url).pathname });
  if (bwrap) sb.env.DISPATCH_BWRAP = bwrap;
  const status = (id: string) => taskStatus(sb, id);
  return {
    sb,
    server,
    cliHome,
    status,
    async start(title, extra = [], env = {}) {
      const r = await sb.run(["start", "--title", title, "--model", "m", "--plan", "-", "--json", ...extra], {
        stdin: TWO_ITEMS,
        env,
      });
      if (r.code !== 0) throw new Error(`start failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout).id as string;
    },
    waitState(id, states, timeoutMs = 45_000) {
      return waitForStatus(sb, id, `${id} to be ${states.join("|")}`, async (s) => {
        if (states.includes(s.state as string)) return s;
        if (["done", "failed", "cancelled"].includes(s.state as string)) {
          const log = await Deno.readTextFile(`${sb.home}/tasks/${id}/worker.log`).catch(() => "");
          throw new Error(
            `${id} ended ${s.state} (${s.reason}) while waiting for ${states}; log:\n${log.slice(-3000)}`,
          );
        }
        return undefined;
      }, timeoutMs);
    },
    waitExited(id, timeoutMs = 45_000) {
      return waitForStatus(
        sb,
        id,
        `${id}'s worker to exit`,
        (s) => s.exit_code !== null && s.exit_code !== undefined ? s : undefined,
        timeoutMs,
      );
    },
    async [Symbol.asyncDispose]() {
      await sb[Symbol.asyncDispose]();
      await server[Symbol.asyncDispose]();
      await cliHomeDir[Symbol.asyncDispose]();
    },
  };
}

/** Pids of live processes of task `id` whose command line mentions `word`. */
export function taskProcessesRunning(id: string, word: string): number[] {
  return processesOfTask(id).filter((pid) => {
    try {
      return Deno.readTextFileSync(`/proc/${pid}/cmdline`).includes(word);
    } catch {
      return false;
    }
  });
}

/** The worker log of a task (for failure messages). */
export function workerLog(w: WorkerSandbox, id: string): Promise<string> {
  return Deno.readTextFile(`${w.sb.home}/tasks/${id}/worker.log`).catch(() => "");
}

/** Polls `check` every 100 ms until it is true; throws after `timeoutMs`. */
export function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<true> {
  return waitFor(what, async () => (await check()) ? true : undefined, timeoutMs);
}

/** A check that fails with the worker's log attached. */
async function expectDone(w: WorkerSandbox, id: string, s: Record<string, unknown>): Promise<void> {
  if (s.state !== "done") {
    throw new Error(`${id} is ${s.state} (${s.reason}); log:\n${(await workerLog(w, id)).slice(-4000)}`);
  }
}

/** Asserts without node:assert so this module stays free of test-only imports' side effects. */
function check(ok: unknown, message: string): void {
  if (!ok) throw new Error(message);
}

/** Timings the tests print, per CLI and scenario. */
function timing(cli: RealCli, what: string, t0: number): void {
  console.log(`${cli} ${what}: ${Date.now() - t0} ms`);
}

/**
 * The heart of the issue: the CLI reads the plan, ticks an item, asks, gets
 * the answer from `dispatch answer`, ticks the rest, writes the summary and
 * finishes; status shows done, the native session and the CLI's usage.
 */
export async function happyPath(
  cli: RealCli,
  opts: {
    tier?: string;
    /** Extra steps after the happy path's own. */
    more?: Action[];
    /** Runs before cleanup, with the finished task. */
    after?: (w: WorkerSandbox, id: string) => Promise<void>;
  } = {},
): Promise<Record<string, unknown>> {
  await using w = await workerSandbox(cli, workerScript(cli, () => [...HAPPY, ...(opts.more ?? [])]));
  const t0 = Date.now();
  const id = await w.start(`${cli} happy`, opts.tier ? ["--tier", opts.tier] : []);
  const waiting = await w.waitState(id, ["waiting"]);
  check(
    JSON.stringify(waiting.questions) === JSON.stringify([{ n: 1, text: "Which database should I use?" }]),
    `questions: ${JSON.stringify(waiting.questions)}`,
  );
  const answered = await w.sb.run(["answer", id, "Use PostgreSQL"]);
  check(answered.code === 0, `answer: ${answered.stderr}`);
  const done = await w.waitState(id, ["done", "failed"]);
  timing(cli, `happy path (${opts.tier ?? "edit"} tier)`, t0);
  await expectDone(w, id, done);
  check(
    JSON.stringify(done.progress) === JSON.stringify({ done: 2, total: 2 }),
    `progress ${done.progress}`,
  );
  check(typeof done.native_session === "string" && done.native_session !== "", "a native session id");
  const output = await Deno.readTextFile(`${w.sb.home}/tasks/${id}/work/output.md`);
  check(/the user chose the database/.test(output), `output: ${output}`);
  const gotAnswer = w.server.modelRequests().some((r) =>
    r.normalized!.toolResults.some((t) => t.includes("Use PostgreSQL"))
  );
  check(gotAnswer, "the answer reached the model as the ask's tool result");
  await opts.after?.(w, id);
  return done;
}

/** What {@linkcode askExitResume} saw. */
export interface ResumeFacts {
  id: string;
  first: Record<string, unknown>;
  done: Record<string, unknown>;
  /** The first model request after the resume that offered tools. */
  resumed: NormalizedRequest;
  log: string;
}

/**
 * What every resumed run must show: the first run ended cleanly, the same
 * `session` (the CLI's word for it) continued, the answer is the new message,
 * and the original prompt and the timed-out ask are still in context.
 */
export function assertResumed(
  { id, first, done, resumed }: Pick<ResumeFacts, "id" | "first" | "done" | "resumed">,
  session = "session",
): void {
  assert.equal(first.exit_code, 0);
  assert.equal(done.native_session, first.native_session, `the same ${session} continued`);
  assert.match(resumed.lastUserText, /The user answered your question: Use PostgreSQL/);
  assert.ok(
    resumed.texts.some((t) => t.includes(`You are a background worker (task ${id}`)),
    "original prompt",
  );
  assert.ok(resumed.toolResults.some((t) => /No answer yet/.test(t)), "the timed-out ask");
}

/** {@linkcode assertResumed}, in the read tier. */
export function assertResumedInReadTier(
  facts: Pick<ResumeFacts, "id" | "first" | "done" | "resumed">,
): void {
  assert.equal(facts.done.tier, "read");
  assertResumed(facts);
}

/**
 * The worker asks with a 1 s timeout and ends its turn; the task waits with
 * the worker gone; `dispatch answer` resumes the CLI's own session, and the
 * model sees the earlier conversation; the task finishes.
 */

export async function askExitResume(cli: RealCli, opts: { tier?: string } = {}): Promise<ResumeFacts> {
  await using w = await workerSandbox(
    cli,
    workerScript(
      cli,
      (resumed) =>
        resumed
          ? [{ read: true }, { tick: "second" }, { write: "Resumed and finished." }]
          : [{ read: true }, { tick: "first" }, { ask: "Which database should I use?", timeout: "1s" }],
      "Waiting for the answer.",
    ),
  );
  const t0 = Date.now();
  const id = await w.start(`${cli} resume`, opts.tier ? ["--tier", opts.tier] : []);
  const first = await w.waitExited(id);
  check(first.state === "waiting", `after the first run: ${first.state} (${first.reason})`);
  const before = w.server.modelRequests().length;
  const answered = await w.sb.run(["answer", id, "Use PostgreSQL"]);
  check(answered.code === 0, `answer: ${answered.stderr}`);
  const done = await w.waitState(id, ["done", "failed"]);
  timing(cli, `ask, exit, answer, resume (${opts.tier ?? "edit"} tier)`, t0);
  await expectDone(w, id, done);
  const resumed = w.server.modelRequests().slice(before).map((r) => r.normalized!).find((n) =>
    n.toolNames.length > 0
  );
  check(resumed, "the resumed worker called the model");
  return { id, first, done, resumed: resumed!, log: await workerLog(w, id) };
}

/**
 * The model runs `command` (something long) with its shell tool; `dispatch
 * cancel` must leave no process with the task's DISPATCH_TASK alive.
 */
export async function cancelKillsTree(
  cli: RealCli,
  command: string,
  marker: string,
  opts: { tier?: string; extraEnv?: Record<string, string> } = {},
): Promise<void> {
  await using w = await workerSandbox(cli, workerScript(cli, () => [{ shell: command }]), {
    extraEnv: opts.extraEnv,
  });
  const t0 = Date.now();
  const id = await w.start(`${cli} cancel`, ["--tier", opts.tier ?? "full"]);
  await waitUntil(`${cli}'s tool command to run`, async () => {
    if (taskProcessesRunning(id, marker).length > 0) return true;
    const s = await w.status(id);
    if (["done", "failed"].includes(s.state as string)) {
      throw new Error(
        `ended ${s.state} (${s.reason}) before its command ran:\n${(await workerLog(w, id)).slice(-3000)}`,
      );
    }
    return false;
  });
  const r = await w.sb.run(["cancel", id]);
  check(r.code === 0, `cancel: ${r.stderr}`);
  await waitForNoProcesses(id);
  const s = await w.status(id);
  timing(cli, "cancel", t0);
  check(s.state === "cancelled", `state ${s.state}`);
}
