/**
 * Tests of the mock model server: first its four protocols over plain
 * fetch, then every real worker CLI (pinned in test/clis) running a two-step
 * shell script against it offline and resuming the session.
 */

import assert from "node:assert/strict";
import { CLI_NAMES, cliInstalled, cliInvocation, type CliName, prepareHome } from "./cli_env.ts";
import { parseCliOutput } from "./cli_output.ts";
import { type MockServer, type NormalizedRequest, type Script, startMockServer } from "./mock_server.ts";
import { runCli } from "./run_cli.ts";
import { alwaysText, shellSteps, SIDE_CALL_TEXT } from "./script.ts";
import { type TempDir, tempDir } from "../temp_dir.ts";

// ------------------------------------------------------------ helpers

async function post(server: MockServer, path: string, body: unknown): Promise<Response> {
  return await fetch(server.url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** The `data:` payloads of an SSE body, parsed (the `[DONE]` sentinel kept as a string). */
async function sseData(res: Response): Promise<unknown[]> {
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const text = await res.text();
  return text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => {
    const d = l.slice(6);
    return d === "[DONE]" ? d : JSON.parse(d);
  });
}

/** The value at a dotted path ("choices.0.delta") inside parsed JSON, or undefined. */
function get(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function lastModelRequest(server: MockServer): NormalizedRequest {
  const n = server.modelRequests().at(-1)?.normalized;
  assert.ok(n, "no model request recorded");
  return n;
}

const BASH_SCHEMA = {
  type: "object",
  properties: { command: { type: "string" }, description: { type: "string" } },
  required: ["command"],
};

async function withServer(script: Script, fn: (s: MockServer) => Promise<void>): Promise<void> {
  await using server = await startMockServer({ script });
  await fn(server);
}

// ------------------------------------------------------------ protocols

Deno.test("anthropic: JSON answer, role:system inside messages, usage", async () => {
  await withServer(alwaysText("hello back"), async (server) => {
    const res = await post(server, "/v1/messages?beta=true", {
      model: "m",
      system: [{ type: "text", text: "SYS" }],
      messages: [
        { role: "user", content: [{ type: "text", text: "<reminder>" }, { type: "text", text: "hi" }] },
        { role: "system", content: [{ type: "text", text: "HOOK CONTEXT" }] },
      ],
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.content, [{ type: "text", text: "hello back" }]);
    assert.equal(body.stop_reason, "end_turn");
    assert.equal(body.usage.input_tokens, 11);
    const n = lastModelRequest(server);
    assert.deepEqual(n.texts, ["SYS", "<reminder>", "hi", "HOOK CONTEXT"]);
    assert.equal(n.lastUserText, "hi");
    assert.equal(n.stream, false);
  });
});

Deno.test("anthropic: SSE tool call maps {shell} to Bash and reads tool results", async () => {
  await withServer(() => ({ shell: "ls -la", text: "looking" }), async (server) => {
    const res = await post(server, "/v1/messages", {
      model: "m",
      stream: true,
      tools: [{ name: "Bash", input_schema: BASH_SCHEMA }],
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Bash", input: {} }] },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "OUT1" }] }],
        },
      ],
    });
    const events = await sseData(res);
    assert.deepEqual(events.map((e) => get(e, "type")), [
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    assert.deepEqual(JSON.parse(String(get(events[6], "delta.partial_json"))), {
      command: "ls -la",
      description: "mock step",
    });
    assert.equal(get(events[8], "delta.stop_reason"), "tool_use");
    const n = lastModelRequest(server);
    assert.deepEqual(n.toolResults, ["OUT1"]);
    assert.deepEqual(n.turnToolResults, ["OUT1"]);
    assert.equal(n.lastUserText, "go");
  });
});

Deno.test("responses: SSE function call exec_command {cmd}, completed with usage", async () => {
  await withServer(() => ({ shell: "pwd" }), async (server) => {
    const res = await post(server, "/v1/responses", {
      model: "m",
      stream: true,
      instructions: "INSTR",
      tools: [{
        type: "function",
        name: "exec_command",
        parameters: { type: "object", properties: { cmd: { type: "string" } } },
      }],
      input: [
        { type: "message", role: "user", content: [{ type: "input_text", text: "go" }] },
        { type: "function_call", call_id: "c1", name: "exec_command", arguments: "{}" },
        { type: "function_call_output", call_id: "c1", output: "OUT1" },
      ],
    });
    const events = await sseData(res);
    assert.equal(get(events[0], "type"), "response.created");
    const done = events.find((e) => get(e, "type") === "response.output_item.done");
    assert.equal(get(done, "item.type"), "function_call");
    assert.equal(get(done, "item.name"), "exec_command");
    assert.deepEqual(JSON.parse(String(get(done, "item.arguments"))), { cmd: "pwd" });
    const completed = events.at(-1);
    assert.equal(get(completed, "type"), "response.completed");
    assert.equal(get(completed, "response.usage.output_tokens"), 7);
    const n = lastModelRequest(server);
    assert.deepEqual(n.texts, ["INSTR", "go", "OUT1"]);
    assert.deepEqual(n.toolResults, ["OUT1"]);
  });
});

Deno.test("responses: JSON answer and websocket upgrade refused", async () => {
  await withServer(alwaysText("plain"), async (server) => {
    const res = await post(server, "/v1/responses", { model: "m", input: "hi" });
    const body = await res.json();
    assert.equal(body.status, "completed");
    assert.equal(body.output[0].content[0].text, "plain");
    const ws = await fetch(server.url + "/v1/responses", {
      headers: { upgrade: "websocket", connection: "upgrade" },
    });
    assert.equal(ws.status, 404);
    await ws.body?.cancel();
  });
});

Deno.test("chat: SSE tool call deltas, include_usage chunk, [DONE]; JSON answer", async () => {
  await withServer(() => ({ shell: "date" }), async (server) => {
    const res = await post(server, "/v1/chat/completions", {
      model: "m",
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: "function", function: { name: "bash", parameters: BASH_SCHEMA } }],
      messages: [
        { role: "system", content: "SYS" },
        { role: "user", content: "go" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function" }] },
        { role: "tool", tool_call_id: "c1", content: "OUT1" },
      ],
    });
    const events = await sseData(res);
    assert.equal(events.at(-1), "[DONE]");
    const call = get(
      events.find((e) => get(e, "choices.0.delta.tool_calls")),
      "choices.0.delta.tool_calls.0",
    );
    assert.equal(get(call, "function.name"), "bash");
    assert.deepEqual(JSON.parse(String(get(call, "function.arguments"))), {
      command: "date",
      description: "mock step",
    });
    const finish = events.find((e) => get(e, "choices.0.finish_reason"));
    assert.equal(get(finish, "choices.0.finish_reason"), "tool_calls");
    const usage = events.at(-2);
    assert.deepEqual(get(usage, "choices"), []);
    assert.equal(get(usage, "usage.total_tokens"), 18);
    assert.deepEqual(lastModelRequest(server).texts, ["SYS", "go", "OUT1"]);
  });
  await withServer(alwaysText("plain"), async (server) => {
    const res = await post(server, "/v1/chat/completions", {
      model: "m",
      messages: [{ role: "user", content: "hi" }],
    });
    const body = await res.json();
    assert.equal(body.choices[0].message.content, "plain");
    assert.equal(body.usage.prompt_tokens, 11);
  });
});

Deno.test("gemini: SSE functionCall, JSON generateContent, countTokens", async () => {
  await withServer(() => ({ shell: "whoami" }), async (server) => {
    const res = await post(server, "/v1beta/models/mock-model:streamGenerateContent?alt=sse", {
      systemInstruction: { parts: [{ text: "SYS" }] },
      tools: [{
        functionDeclarations: [{
          name: "run_shell_command",
          parametersJsonSchema: { type: "object", properties: { command: { type: "string" } } },
        }],
      }],
      contents: [
        { role: "user", parts: [{ text: "ctx" }, { text: "go" }] },
        { role: "model", parts: [{ functionCall: { name: "run_shell_command", args: {} } }] },
        {
          role: "user",
          parts: [{ functionResponse: { name: "run_shell_command", response: { output: "OUT1" } } }],
        },
      ],
    });
    const [chunk] = await sseData(res);
    assert.deepEqual(get(chunk, "candidates.0.content.parts"), [{
      functionCall: { name: "run_shell_command", args: { command: "whoami" } },
    }]);
    assert.equal(get(chunk, "usageMetadata.totalTokenCount"), 18);
    const n = lastModelRequest(server);
    assert.equal(n.model, "mock-model");
    assert.equal(n.lastUserText, "go");
    assert.deepEqual(n.toolResults, ["OUT1"]);
  });
  await withServer(alwaysText("plain"), async (server) => {
    const res = await post(server, "/v1beta/models/x:generateContent", {
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
    });
    assert.equal((await res.json()).candidates[0].content.parts[0].text, "plain");
    const count = await post(server, "/v1beta/models/x:countTokens", { contents: [] });
    assert.ok((await count.json()).totalTokens > 0);
  });
});

Deno.test("errors, probes and model lists", async () => {
  await withServer(() => ({ status: 401 }), async (server) => {
    const a = await post(server, "/v1/messages", { model: "m", messages: [] });
    assert.equal(a.status, 401);
    assert.equal((await a.json()).error.type, "authentication_error");
    const g = await post(server, "/v1beta/models/m:generateContent", { contents: [] });
    assert.equal((await g.json()).error.status, "UNAUTHENTICATED");
    const head = await fetch(server.url + "/api/hello", { method: "HEAD" });
    assert.equal(head.status, 200);
    await head.body?.cancel();
    const unknown = await post(server, "/api/anything", {});
    assert.deepEqual(await unknown.json(), {});
    const models = await fetch(server.url + "/v1/models");
    assert.equal((await models.json()).data[0].id, "mock-model");
    assert.equal(server.requests.length, 5);
    assert.equal(server.modelRequests().length, 2);
  });
});

Deno.test("shellSteps: step index counts this turn's tool results; side calls get text", () => {
  const script = shellSteps(["a", "b"], "END");
  const req = (turn: string[], tools = ["Bash"]): NormalizedRequest => ({
    api: "anthropic",
    model: "m",
    toolNames: tools,
    toolSchemas: {},
    texts: [],
    assistantTexts: [],
    toolResults: ["old", "old", ...turn],
    turnToolResults: turn,
    lastUserText: "",
    stream: true,
    raw: {},
  });
  assert.deepEqual(script(req([])), { shell: "a" });
  assert.deepEqual(script(req(["x"])), { shell: "b" });
  assert.deepEqual(script(req(["x", "y"])), { text: "END" });
  assert.deepEqual(script(req([], [])), { text: SIDE_CALL_TEXT });
});

// ------------------------------------------------------------ real CLIs

/** Printed by step 1 and found again by step 2, proving the tool output reached the model. */
const MARK = "got-42-ok";
/**
 * Step 1 prints MARK without the command containing it, so a CLI that echoes
 * the command into the tool result cannot fake it. printf, not `$((…))`:
 * gemini blocks command substitution syntax in run_shell_command.
 */
const STEP1 = "echo one > step1.txt && printf 'got-%s-ok\\n' 42";

function twoStepScript(): Script {
  return shellSteps((req) => {
    const prev = req.turnToolResults[0] ?? "";
    return [STEP1, `echo ${prev.includes(MARK) ? MARK : "missing"} >> step1.txt`];
  }, "ALL DONE");
}

/** A fresh `git init`-ed project dir and a throwaway home, under one temp root. */
/** A CLI home and a git project in one temporary folder, removed when the scope ends. */
async function makeWorkspace(name: CliName): Promise<TempDir & { home: string; cwd: string }> {
  const dir = await tempDir(`dispatch-mock-${name}-`);
  const root = dir.path;
  const home = `${root}/home`;
  const cwd = `${root}/project`;
  await Deno.mkdir(cwd);
  await prepareHome(name, home);
  const git = await new Deno.Command("git", { args: ["init", "-q"], cwd, stdout: "null", stderr: "piped" })
    .output();
  assert.equal(git.code, 0, new TextDecoder().decode(git.stderr));
  return { ...dir, home, cwd };
}

async function run(
  name: CliName,
  server: MockServer,
  ws: { home: string; cwd: string },
  prompt: string,
  resume?: string,
) {
  const seen = server.requests.length;
  const inv = cliInvocation(name, ws.home, { mockUrl: server.url, prompt, resume });
  const started = Date.now();
  const result = await runCli({ ...inv, cwd: ws.cwd, timeoutMs: 180_000 });
  const out = parseCliOutput(name, result.stdout);
  const calls = server.requests.slice(seen).filter((r) => r.api).length;
  console.log(
    `  ${name} ${resume ? "resume" : "run"}: ${result.ms} ms, exit ${result.code}, ${calls} model calls, ` +
      `session ${out.sessionId}, usage ${JSON.stringify(out.usage)}`,
  );
  const context = `exit ${result.code}${result.timedOut ? " (timed out)" : ""}\n--- stdout\n${
    result.stdout.slice(-3000)
  }\n--- stderr\n${result.stderr.slice(-3000)}\n--- requests\n${
    server.requests.slice(seen).map((r) =>
      `+${r.time - started} ms ${r.method} ${r.path} ${JSON.stringify(r.reply ?? "")}`
    )
      .join("\n")
  }`;
  assert.ok(!result.timedOut, `timed out\n${context}`);
  assert.equal(result.code, 0, context);
  return { result, out, context };
}

/**
 * The slow CLIs (15–54 s each here) run their two-step-and-resume only when asked:
 * test/e2e/worker_*_test.ts drive each of them through the same mock in CI and check the
 * resumed context there. `DISPATCH_MOCK_ALL_CLIS=1` runs them here too, for work on the mock.
 */
const SLOW_CLIS: ReadonlySet<CliName> = new Set(["gemini", "qwen", "opencode"]);
const allClis = Deno.env.get("DISPATCH_MOCK_ALL_CLIS") === "1";

for (const name of CLI_NAMES.filter((n) => allClis || !SLOW_CLIS.has(n))) {
  Deno.test({
    name: `cli ${name}: two shell steps offline, then resume with the earlier context`,
    ignore: !cliInstalled(name),
    async fn(t) {
      await using server = await startMockServer({ script: twoStepScript() });
      await using ws = await makeWorkspace(name);
      let sessionId = "";
      await t.step("two shell steps", async () => {
        const { out, context } = await run(name, server, ws, `Run the two steps. FIRST-TURN-${name}`);
        assert.equal(await Deno.readTextFile(`${ws.cwd}/step1.txt`), `one\n${MARK}\n`, context);
        assert.match(out.finalText ?? "", /ALL DONE/, context);
        assert.ok(out.sessionId, `no session id\n${context}`);
        assert.ok(out.usage && out.usage.input > 0 && out.usage.output > 0, `no usage\n${context}`);
        sessionId = out.sessionId;
        const calls = server.modelRequests().map((r) => r.normalized!);
        assert.ok(
          calls.some((n) => n.turnToolResults.some((r) => r.includes(MARK))),
          "tool output never came back",
        );
        assert.ok(calls.some((n) => n.turnToolResults.length === 2), "second tool result never came back");
      });

      await t.step("resume", async () => {
        assert.ok(sessionId, "first run gave no session id");
        server.setScript((req) => ({ text: req.toolNames.length ? "RESUMED OK" : SIDE_CALL_TEXT }));
        const seen = server.requests.length;
        const { out, context } = await run(name, server, ws, `Second turn. SECOND-TURN-${name}`, sessionId);
        assert.match(out.finalText ?? "", /RESUMED OK/, context);
        assert.equal(out.sessionId, sessionId, "resume continued another session");
        const resumed = server.requests.slice(seen).map((r) => r.normalized)
          .find((n) => n && n.toolNames.length > 0 && n.lastUserText.includes(`SECOND-TURN-${name}`));
        assert.ok(resumed, "no resumed model call carries the new prompt");
        assert.ok(
          resumed.texts.some((s) => s.includes(`FIRST-TURN-${name}`)),
          "earlier prompt missing on resume",
        );
        assert.ok(
          resumed.toolResults.some((s) => s.includes(MARK)),
          "earlier tool output missing on resume",
        );
        assert.ok(
          resumed.assistantTexts.some((s) => s.includes("ALL DONE")),
          "earlier answer missing on resume",
        );
        assert.equal(resumed.turnToolResults.length, 0);
      });
    },
  });
}

Deno.test({
  name: "cli claude: the Bash tool's environment carries the session id",
  ignore: !cliInstalled("claude"),
  async fn() {
    await using server = await startMockServer({ script: shellSteps(["env"], "ENV DONE") });
    await using ws = await makeWorkspace("claude");
    const { out } = await run("claude", server, ws, "Show the environment.");
    const env = new Map(
      (server.modelRequests().at(-1)?.normalized?.toolResults[0] ?? "").split("\n")
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    // Pinned for 2.1.330: a worker started from a Bash call can learn its parent session.
    assert.equal(env.get("CLAUDE_CODE_SESSION_ID"), out.sessionId);
    assert.equal(env.get("CLAUDECODE"), "1");
    assert.equal(env.get("CLAUDE_CODE_ENTRYPOINT"), "sdk-cli");
    assert.match(env.get("CLAUDE_PID") ?? "", /^\d+$/);
  },
});
