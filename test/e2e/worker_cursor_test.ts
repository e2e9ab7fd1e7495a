/**
 * Cursor's `agent` as a worker. Cursor's CLI cannot run offline (inference
 * goes through Cursor's service), so these tests run a fake `agent`
 * (test/fixtures/cursor/agent) that does a worker's job for real and prints
 * it in Cursor's documented stream-json format. They prove dispatch's side:
 * the flags, stdin, session id, usage, ask/answer, resume and cancel.
 * @module
 */
import assert from "node:assert/strict";
import {
  processesOfTask,
  type Sandbox,
  sandbox,
  taskStatus,
  waitForNoProcesses,
  waitForStatus,
} from "../helpers.ts";
import { TWO_ITEMS, waitUntil } from "./worker_e2e.ts";
import { tempDir } from "../temp_dir.ts";

const AGENT = new URL("../fixtures/cursor/agent", import.meta.url).pathname;

/** A sandbox whose one model runs the fake agent on `scenario`; disposing it removes the agent's folder too. */
async function cursorSandbox(scenario: string): Promise<{ sb: Sandbox; argvFile: string } & AsyncDisposable> {
  const state = await tempDir("dispatch-e2e-cursor-");
  const dir = state.path;
  const argvFile = `${dir}/argv.jsonl`;
  const config = {
    default: "m",
    backends: {
      cursor: {
        bin: AGENT,
        env: { FAKE_AGENT_SCENARIO: scenario, FAKE_AGENT_ARGV: argvFile, FAKE_AGENT_STATE: dir },
      },
    },
    models: { m: { backend: "cursor", model: "gpt-5" } },
  };
  const sb = await sandbox(JSON.stringify(config));
  return {
    sb,
    argvFile,
    async [Symbol.asyncDispose]() {
      await sb[Symbol.asyncDispose]();
      await state[Symbol.asyncDispose]();
    },
  };
}

/** `dispatch start` of a two-item task on the fake agent, as it returned. */
function runStart(sb: Sandbox, extra: string[]) {
  return sb.run(["start", "--title", "cursor task", "--model", "m", "--plan", "-", ...extra], {
    stdin: TWO_ITEMS,
  });
}

async function start(sb: Sandbox, extra: string[] = []): Promise<string> {
  const r = await runStart(sb, ["--json", ...extra]);
  if (r.code !== 0) throw new Error(`start failed: ${r.stderr}`);
  return JSON.parse(r.stdout).id;
}

function waitState(sb: Sandbox, id: string, states: string[]) {
  return waitForStatus(
    sb,
    id,
    `${id} to be ${states}`,
    (s) => states.includes(s.state as string) ? s : undefined,
    30_000,
  );
}

async function argvs(file: string): Promise<string[][]> {
  return (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("cursor worker (fake agent): plan, tick, ask, answer, tick, summary, done", async () => {
  await using cursor = await cursorSandbox("happy");
  const { sb, argvFile } = cursor;
  const id = await start(sb);
  const waiting = await waitState(sb, id, ["waiting"]);
  assert.deepEqual(waiting.questions, [{ n: 1, text: "Which database should I use?" }]);
  assert.equal((await sb.run(["answer", id, "Use PostgreSQL"])).code, 0);
  const done = await waitState(sb, id, ["done", "failed"]);
  assert.equal(done.state, "done", String(done.reason));
  assert.match(String(done.native_session), /^[0-9a-f-]{36}$/);
  assert.deepEqual(done.usage, { input_tokens: 130, output_tokens: 30, cost_usd: null });
  const [argv] = await argvs(argvFile);
  assert.deepEqual(argv, [
    "-p",
    "--output-format",
    "stream-json",
    "--trust",
    "--workspace",
    sb.project,
    "--model",
    "gpt-5",
  ]);
  const log = await Deno.readTextFile(`${sb.home}/tasks/${id}/worker.log`);
  assert.match(log, /The user answered: Use PostgreSQL/);
});

Deno.test("cursor worker (fake agent): exits with a question open, the answer resumes its chat", async () => {
  await using cursor = await cursorSandbox("ask-exit");
  const { sb, argvFile } = cursor;
  const id = await start(sb);
  const first = await waitForStatus(
    sb,
    id,
    "the first run to end",
    (s) => s.exit_code !== null ? s : undefined,
    30_000,
  );
  assert.equal(first.state, "waiting", String(first.reason));
  assert.equal((await sb.run(["answer", id, "Use PostgreSQL"])).code, 0);
  const done = await waitState(sb, id, ["done", "failed"]);
  assert.equal(done.state, "done", String(done.reason));
  assert.equal(done.native_session, first.native_session);
  const runs = await argvs(argvFile);
  assert.equal(runs.length, 2);
  assert.deepEqual(runs[1]!.slice(-2), ["--resume", String(first.native_session)]);
  assert.deepEqual(done.usage, { input_tokens: 260, output_tokens: 60, cost_usd: null }, "two runs summed");
});

Deno.test("cursor worker (fake agent): full tier passes --force; cancel ends its shell tool", async () => {
  await using cursor = await cursorSandbox("sleep");
  const { sb, argvFile } = cursor;
  const id = await start(sb, ["--tier", "full"]);
  await waitUntil("the sleep to run", () =>
    processesOfTask(id).some((pid) => {
      try {
        return Deno.readTextFileSync(`/proc/${pid}/cmdline`).startsWith("sleep");
      } catch {
        return false;
      }
    }));
  assert.ok((await argvs(argvFile))[0]!.includes("--force"));
  assert.equal((await sb.run(["cancel", id])).code, 0);
  await waitForNoProcesses(id);
  assert.equal((await taskStatus(sb, id)).state, "cancelled");
});

Deno.test("cursor worker (fake agent): read tier is refused up front with the reason, nothing started", async () => {
  await using cursor = await cursorSandbox("happy");
  const { sb, argvFile } = cursor;
  const r = await runStart(sb, ["--tier", "read"]);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /no read-only mode.*use --tier edit or full/);
  assert.deepEqual(await Array.fromAsync(Deno.readDir(`${sb.home}/tasks`)), []);
  assert.equal(await Deno.stat(argvFile).then(() => true, () => false), false);
});

Deno.test("cursor worker (fake agent): a failure on stderr with no result event fails the task", async () => {
  await using cursor = await cursorSandbox("error");
  const { sb } = cursor;
  const id = await start(sb);
  const s = await waitState(sb, id, ["failed"]);
  assert.equal(s.exit_code, 1);
  assert.equal(s.reason, "Worker exited with code 1");
});
