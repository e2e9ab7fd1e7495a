import assert from "node:assert/strict";
import { BIN, fakeInput, sample, TASK_DIR, WORK_DIR } from "../../../test/fixtures/samples.ts";
import { qwenBackend, reportQwen } from "./adapter.ts";

const HEAD = ["qwen", "-m", "model-1", "-o", "stream-json"];

Deno.test("qwen launch: edit tier is auto-edit plus `dispatch ask`; prompt on stdin", () => {
  const spec = qwenBackend.launch(fakeInput());
  assert.deepEqual(spec.argv, [
    ...HEAD,
    "--approval-mode",
    "auto-edit",
    "--allowed-tools",
    `run_shell_command(${BIN} ask)`,
    "--include-directories",
    WORK_DIR,
  ]);
  assert.equal(spec.stdin, "prompt");
  assert.equal(spec.stdinFile, `${TASK_DIR}/prompt.md`);
  assert.deepEqual(spec.env, { QWEN_CODE_NO_RELAUNCH: "true" });
});

Deno.test("qwen launch: read tier allows edits and writes in the task folder by path rule", () => {
  const spec = qwenBackend.launch(fakeInput({ tier: "read" }));
  assert.deepEqual(spec.argv.slice(HEAD.length), [
    "--approval-mode",
    "default",
    "--allowed-tools",
    `run_shell_command(${BIN} ask)`,
    "--allowed-tools",
    `edit(//home/user/.dispatch/tasks/fix-bug-1a2b/work/**)`,
    "--allowed-tools",
    `write_file(//home/user/.dispatch/tasks/fix-bug-1a2b/work/**)`,
    "--include-directories",
    WORK_DIR,
  ]);
});

Deno.test("qwen launch: full tier is yolo", () => {
  const spec = qwenBackend.launch(fakeInput({ tier: "full" }));
  assert.deepEqual(spec.argv.slice(HEAD.length), [
    "--approval-mode",
    "yolo",
    "--include-directories",
    WORK_DIR,
  ]);
});

Deno.test("qwen launch: gateway flags from config come last", () => {
  const spec = qwenBackend.launch(fakeInput({
    backend: {
      args: ["--auth-type", "openai", "--openai-base-url", "http://gw/v1"],
      env: { OPENAI_API_KEY: "k" },
    },
  }));
  assert.deepEqual(spec.argv.slice(-4), ["--auth-type", "openai", "--openai-base-url", "http://gw/v1"]);
  assert.deepEqual(spec.env, { QWEN_CODE_NO_RELAUNCH: "true", OPENAI_API_KEY: "k" });
});

Deno.test("qwen resume: --resume with the session, message on stdin", () => {
  const spec = qwenBackend.resume!(fakeInput({ promptFile: `${TASK_DIR}/resume.md` }), "s-1", "answer");
  assert.deepEqual(spec.argv.slice(-2), ["--resume", "s-1"]);
  assert.equal(spec.stdinFile, `${TASK_DIR}/resume.md`);
});

Deno.test("qwen report (recorded): session and usage", () => {
  const r = reportQwen(sample("qwen", "happy.log"), { code: 0 });
  assert.match(r.nativeSession!, /^[0-9a-f-]{36}$/);
  assert.deepEqual(r.usage, { inputTokens: 66, outputTokens: 42 });
  assert.equal(r.failure, undefined);
});

Deno.test("qwen report (recorded): a resumed run reports its share of the session's running total", () => {
  const first = sample("qwen", "resume_1.log");
  const second = sample("qwen", "resume_2.log");
  const r = reportQwen(second, { earlierLog: first, code: 0 });
  assert.equal(r.nativeSession, reportQwen(first).nativeSession);
  assert.deepEqual(reportQwen(first).usage, { inputTokens: 44, outputTokens: 28 });
  assert.deepEqual(r.usage, { inputTokens: 44, outputTokens: 28 });
  assert.deepEqual(reportQwen(second).usage, { inputTokens: 88, outputTokens: 56 }, "the raw running total");
});

Deno.test("qwen report (recorded): refused tool calls are counted and named, not a failure by themselves", () => {
  const r = reportQwen(sample("qwen", "refused.log"), { code: 0 });
  assert.equal(r.failure, undefined);
  assert.equal(r.denied, 1);
  assert.match(r.refusal!, /^Qwen was refused 1 tool call\(s\): run_shell_command\(touch dispatch-probe\)/);
});

Deno.test("qwen report: an error result, a rate limit, an empty log", () => {
  const result = {
    type: "result",
    subtype: "error_during_execution",
    "is_error": true,
    "session_id": "s-3",
    error: { message: "429 Rate limit reached for requests" },
  };
  const r = reportQwen(JSON.stringify(result), { code: 1 });
  assert.equal(r.nativeSession, "s-3");
  assert.equal(r.rateLimited, true);
  assert.match(r.failure!, /Qwen ended with an error \(error_during_execution\): 429 Rate limit/);
  assert.match(reportQwen("", { code: 0 }).failure!, /printed no JSON events/);
});
