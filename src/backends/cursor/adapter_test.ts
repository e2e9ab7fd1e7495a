import assert from "node:assert/strict";
import { CWD, fakeInput, TASK_DIR } from "../../../test/fixtures/samples.ts";
import { ConfigError } from "../../errors.ts";
import { cursorBackend, reportCursor } from "./adapter.ts";

const HEAD = [
  "agent",
  "-p",
  "--output-format",
  "stream-json",
  "--trust",
  "--workspace",
  CWD,
  "--model",
  "model-1",
];

// Events in the shapes Cursor documents (cursor.com/docs/cli/reference/output-format).
const INIT = {
  type: "system",
  subtype: "init",
  apiKeySource: "login",
  cwd: CWD,
  "session_id": "c-1",
  model: "GPT-5",
};
const TOOL = {
  type: "tool_call",
  subtype: "completed",
  "call_id": "call_1",
  "tool_call": { readToolCall: { args: { path: "plan.md" }, result: { success: { content: "- [ ] a" } } } },
  "session_id": "c-1",
};
const RESULT = {
  type: "result",
  subtype: "success",
  "is_error": false,
  "duration_ms": 1234,
  "duration_api_ms": 1234,
  result: "Done.",
  "session_id": "c-1",
  "request_id": "r-1",
};
const lines = (...events: unknown[]) => events.map((e) => JSON.stringify(e)).join("\n") + "\n";

Deno.test("cursor launch: print mode, stream-json, trust, workspace and model; prompt on stdin", () => {
  const spec = cursorBackend.launch(fakeInput());
  assert.deepEqual(spec.argv, HEAD);
  assert.equal(spec.stdin, "prompt");
  assert.equal(spec.stdinFile, `${TASK_DIR}/prompt.md`);
});

Deno.test("cursor launch: full tier adds --force; read tier is refused with the fix", () => {
  assert.deepEqual(cursorBackend.launch(fakeInput({ tier: "full" })).argv, [...HEAD, "--force"]);
  assert.throws(() => cursorBackend.launch(fakeInput({ tier: "read" })), ConfigError);
  assert.throws(() => cursorBackend.launch(fakeInput({ tier: "read" })), /use --tier edit or full/);
});

Deno.test("cursor launch: bin (e.g. cursor-agent), args and env from config", () => {
  const spec = cursorBackend.launch(fakeInput({
    backend: { bin: "cursor-agent", args: ["--sandbox", "enabled"], env: { CURSOR_API_KEY: "k" } },
  }));
  assert.equal(spec.argv[0], "cursor-agent");
  assert.deepEqual(spec.argv.slice(-2), ["--sandbox", "enabled"]);
  assert.deepEqual(spec.env, { CURSOR_API_KEY: "k" });
});

Deno.test("cursor resume: --resume with the chat id", () => {
  const spec = cursorBackend.resume!(fakeInput({ promptFile: `${TASK_DIR}/resume.md` }), "c-1", "answer");
  assert.deepEqual(spec.argv.slice(-2), ["--resume", "c-1"]);
  assert.equal(spec.stdinFile, `${TASK_DIR}/resume.md`);
});

Deno.test("cursor report: session id and camelCase usage inside result.usage", () => {
  const usage = { inputTokens: 100, outputTokens: 20, cacheReadTokens: 5, cacheWriteTokens: 1 };
  const r = reportCursor(lines(INIT, TOOL, { ...RESULT, usage }), { code: 0 });
  assert.deepEqual(r, { nativeSession: "c-1", usage: { inputTokens: 106, outputTokens: 20 } });
});

Deno.test("cursor report: usage at the top level (older builds), or none at all", () => {
  const top = reportCursor(lines(INIT, { ...RESULT, inputTokens: 7, outputTokens: 3 }), { code: 0 });
  assert.deepEqual(top.usage, { inputTokens: 7, outputTokens: 3 });
  const none = reportCursor(lines(INIT, RESULT), { code: 0 });
  assert.equal(none.usage, undefined);
  assert.equal(none.failure, undefined);
});

Deno.test("cursor report: no result event (documented failure: message on stderr)", () => {
  const r = reportCursor(lines(INIT) + "Error: You've hit your usage limit\n", { code: 1 });
  assert.equal(r.nativeSession, "c-1");
  assert.match(r.failure!, /without a result: Error: You've hit your usage limit/);
  assert.equal(r.rateLimited, true);
  assert.match(reportCursor("", { code: 0 }).failure!, /printed no result/);
});

Deno.test("cursor report: an error result", () => {
  const r = reportCursor(lines({ ...RESULT, subtype: "error", is_error: true, result: "boom" }), { code: 0 });
  assert.match(r.failure!, /Cursor agent ended with an error \(error\): boom/);
});
