import assert from "node:assert/strict";
import { BIN, fakeInput, sample, TASK_DIR, WORK_DIR } from "../../../test/fixtures/samples.ts";
import { geminiBackend, reportGemini } from "./adapter.ts";
import { TIER_PLACEHOLDERS } from "../tiers.ts";
import { geminiPolicy } from "./tiers.ts";

const HEAD = ["gemini", "-m", "model-1", "-o", "stream-json", "--skip-trust"];
const POLICY = `${TASK_DIR}/gemini-policy.toml`;

Deno.test("gemini launch: edit tier is auto_edit plus the policy file; one process; prompt on stdin", () => {
  const spec = geminiBackend.launch(fakeInput());
  assert.deepEqual(spec.argv, [
    ...HEAD,
    "--approval-mode",
    "auto_edit",
    "--policy",
    POLICY,
    "--include-directories",
    WORK_DIR,
  ]);
  assert.deepEqual(spec.env, { GEMINI_CLI_NO_RELAUNCH: "true" });
  assert.equal(spec.stdin, "prompt");
  assert.deepEqual(Object.keys(spec.files ?? {}), [POLICY]);
});

Deno.test("gemini launch: read tier is default mode plus the policy; full tier is yolo without one", () => {
  const read = geminiBackend.launch(fakeInput({ tier: "read" }));
  assert.deepEqual(read.argv.slice(HEAD.length, HEAD.length + 2), ["--approval-mode", "default"]);
  assert.ok(read.files?.[POLICY]);
  const full = geminiBackend.launch(fakeInput({ tier: "full" }));
  assert.deepEqual(full.argv.slice(HEAD.length), [
    "--approval-mode",
    "yolo",
    "--include-directories",
    WORK_DIR,
  ]);
  assert.equal(full.files, undefined);
});

Deno.test("gemini policy: allows `dispatch ask` and writes directly in the task folder", () => {
  const text = geminiBackend.launch(fakeInput()).files![POLICY]!;
  assert.match(text, new RegExp(`commandPrefix = "${BIN} ask"`));
  const pattern = /argsPattern = (".*")/.exec(text)![1]!;
  const re = new RegExp(JSON.parse(pattern));
  assert.ok(re.test(JSON.stringify({ file_path: `${WORK_DIR}/plan.md`, content: "x" })));
  assert.ok(!re.test(JSON.stringify({ file_path: `${WORK_DIR}/../other/plan.md` })), "no climbing out");
  assert.ok(!re.test(JSON.stringify({ file_path: `${TASK_DIR}/task.json` })), "not the trusted files");
  assert.ok(!re.test(JSON.stringify({ file_path: "/home/user/project/a.ts" })));
  assert.match(geminiPolicy(TIER_PLACEHOLDERS), /\$DISPATCH_BIN ask/);
});

Deno.test("gemini launch: the user's env wins, args appended", () => {
  const spec = geminiBackend.launch(fakeInput({
    backend: {
      env: { GEMINI_CLI_NO_RELAUNCH: "false", GOOGLE_GEMINI_BASE_URL: "http://gw" },
      args: ["--debug"],
    },
    modelArgs: ["--sandbox"],
  }));
  assert.deepEqual(spec.env, { GEMINI_CLI_NO_RELAUNCH: "false", GOOGLE_GEMINI_BASE_URL: "http://gw" });
  assert.deepEqual(spec.argv.slice(-2), ["--debug", "--sandbox"]);
});

Deno.test("gemini resume: --resume with the session and the message on stdin", () => {
  const spec = geminiBackend.resume!(fakeInput({ promptFile: `${TASK_DIR}/resume.md` }), "s-1", "answer");
  assert.deepEqual(spec.argv.slice(-2), ["--resume", "s-1"]);
  assert.equal(spec.stdinFile, `${TASK_DIR}/resume.md`);
  assert.ok(spec.files?.[POLICY], "the policy is rewritten for the resumed run too");
});

Deno.test("gemini report (recorded): session and this run's tokens", () => {
  const r = reportGemini(sample("gemini", "happy.log"), { code: 0 });
  assert.match(r.nativeSession!, /^[0-9a-f-]{36}$/);
  assert.deepEqual(r.usage, { inputTokens: 66, outputTokens: 42 });
  assert.equal(r.failure, undefined);
});

Deno.test("gemini report (recorded): usage is per run, so a resume needs no differencing", () => {
  const first = sample("gemini", "resume_1.log");
  const r = reportGemini(sample("gemini", "resume_2.log"), { earlierLog: first, code: 0 });
  assert.equal(r.nativeSession, reportGemini(first).nativeSession);
  assert.deepEqual(r.usage, { inputTokens: 44, outputTokens: 28 });
});

Deno.test("gemini report (recorded): a refused tool is counted and named with its rule, not a failure by itself", () => {
  const r = reportGemini(sample("gemini", "refused.log"), { code: 0 });
  assert.equal(r.failure, undefined);
  assert.equal(r.denied, 1);
  assert.match(
    r.refusal!,
    /^Gemini's policy refused 1 tool call\(s\): run_shell_command\(touch dispatch-probe\)/,
  );
  assert.match(r.refusal!, /\(allow it with --allow 'touch dispatch-probe', or raise the tier\)$/);
});

Deno.test("gemini report (recorded): a 429 is a rate limit", () => {
  const r = reportGemini(sample("gemini", "rate_limited.log"), { code: 1 });
  assert.equal(r.rateLimited, true);
  assert.match(r.failure!, /^Gemini ended with status 'error': \[API Error: mock error 429\]/);
});

Deno.test("gemini report: the error JSON of `-o json` and an empty log", () => {
  const err = JSON.stringify({
    session_id: "s-2",
    error: { type: "auth", message: "Invalid API key", code: 401 },
  });
  const r = reportGemini(err, { code: 145 });
  assert.equal(r.nativeSession, "s-2");
  assert.match(r.failure!, /Gemini failed: Invalid API key/);
  assert.equal(r.rateLimited, undefined);
  assert.match(reportGemini("", { code: 0 }).failure!, /printed no JSON events/);
});
