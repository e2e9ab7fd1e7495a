import assert from "node:assert/strict";
import { permissionHookCommand, permissionHookFlags } from "./permission_settings.ts";
import { BIN, CWD, fakeInput, sample, TASK_DIR, WORK_DIR } from "../../../test/fixtures/samples.ts";
import { claudeBackend, reportClaude } from "./adapter.ts";
import { CLAUDE_NESTING_ENV } from "./nesting_env.ts";

const HEAD = ["claude", "-p", "--output-format", "stream-json", "--verbose", "--model", "model-1"];

Deno.test("claude launch: edit tier accepts edits, adds the task folder, allows only `dispatch ask` in Bash", () => {
  const spec = claudeBackend.launch(fakeInput());
  assert.deepEqual(spec.argv, [
    ...HEAD,
    "--permission-mode",
    "acceptEdits",
    "--add-dir",
    WORK_DIR,
    "--allowedTools",
    `Bash(${BIN} ask:*)`,
    ...permissionHookFlags("edit", BIN),
  ]);
  assert.equal(spec.stdin, "prompt");
  assert.equal(spec.stdinFile, `${TASK_DIR}/prompt.md`);
  assert.deepEqual(spec.env, {});
});

Deno.test("claude launch: read tier allows edits and writes in the task folder only", () => {
  const spec = claudeBackend.launch(fakeInput({ tier: "read" }));
  assert.deepEqual(spec.argv.slice(HEAD.length), [
    "--permission-mode",
    "default",
    "--add-dir",
    WORK_DIR,
    "--allowedTools",
    `Bash(${BIN} ask:*)`,
    "--allowedTools",
    `Edit(/${WORK_DIR}/**)`,
    "--allowedTools",
    `Write(/${WORK_DIR}/**)`,
    ...permissionHookFlags("read", BIN),
  ]);
  assert.ok(
    spec.argv.includes("Edit(//home/user/.dispatch/tasks/fix-bug-1a2b/work/**)"),
    "absolute rules start with //",
  );
});

Deno.test("claude launch: full tier skips permissions", () => {
  const spec = claudeBackend.launch(fakeInput({ tier: "full" }));
  assert.deepEqual(spec.argv.slice(HEAD.length), ["--dangerously-skip-permissions", "--add-dir", WORK_DIR]);
  assert.ok(!claudeBackend.launch(fakeInput()).argv.includes("--dangerously-skip-permissions"));
});

Deno.test("claude launch: the host session's nesting variables are removed", () => {
  const unset = claudeBackend.launch(fakeInput()).unsetEnv ?? [];
  for (
    const name of ["CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SSE_PORT", "CLAUDE_CODE_SESSION_ID"]
  ) {
    assert.ok(unset.includes(name), name);
  }
  assert.deepEqual(unset, CLAUDE_NESTING_ENV);
});

Deno.test("claude launch: bin, backend args, model args and env from config", () => {
  const spec = claudeBackend.launch(fakeInput({
    backend: {
      bin: "/opt/claude",
      args: ["--max-budget-usd", "2"],
      env: { ANTHROPIC_BASE_URL: "http://gw" },
    },
    modelArgs: ["--effort", "low"],
  }));
  assert.equal(spec.argv[0], "/opt/claude");
  assert.deepEqual(spec.argv.slice(-4), ["--max-budget-usd", "2", "--effort", "low"]);
  assert.deepEqual(spec.env, { ANTHROPIC_BASE_URL: "http://gw" });
});

Deno.test("claude resume: --resume with the session, the message file on stdin, same tier flags", () => {
  const input = fakeInput({ promptFile: `${TASK_DIR}/resume.md` });
  const spec = claudeBackend.resume!(input, "s-1", "The user answered your question: yes");
  assert.deepEqual(spec.argv.slice(-2), ["--resume", "s-1"]);
  assert.ok(spec.argv.includes("acceptEdits"));
  assert.equal(spec.stdinFile, `${TASK_DIR}/resume.md`);
  assert.deepEqual(spec.unsetEnv, CLAUDE_NESTING_ENV);
  assert.equal(spec.argv.includes(CWD), false);
});

Deno.test("claude report (recorded): session, this run's tokens and cost", () => {
  const r = reportClaude(sample("claude", "happy.log"), { code: 0 });
  assert.match(r.nativeSession!, /^[0-9a-f-]{36}$/);
  assert.deepEqual(r.usage, { inputTokens: 66, outputTokens: 42, costUsd: 0.001104 });
  assert.equal(r.failure, undefined);
  assert.equal(r.rateLimited, undefined);
});

Deno.test("claude report (recorded): a resumed run's cost is its share of the session total", () => {
  const first = sample("claude", "resume_1.log");
  const second = sample("claude", "resume_2.log");
  const r1 = reportClaude(first);
  const r2 = reportClaude(second, { earlierLog: first, code: 0 });
  assert.equal(r2.nativeSession, r1.nativeSession);
  assert.deepEqual(r2.usage, { inputTokens: 44, outputTokens: 28, costUsd: 0.000736 });
  // Without the earlier run, the running total would be counted again.
  assert.equal(reportClaude(second).usage!.costUsd, 0.001472);
  assert.equal(r1.usage!.costUsd! + r2.usage!.costUsd!, 0.001472);
});

Deno.test("claude report (recorded): refused tool calls are counted, not a failure by themselves", () => {
  const r = reportClaude(sample("claude", "refused.log"), { code: 0 });
  assert.equal(r.failure, undefined);
  assert.equal(r.denied, 1);
});

Deno.test("claude report: a tool_deferred stop is a call waiting on a permission; an error names the refusals", () => {
  const deferred = {
    type: "result",
    "stop_reason": "tool_deferred",
    "is_error": false,
    "session_id": "s-1",
    "deferred_tool_use": { id: "toolu_1", name: "Bash", input: { command: "npm install x" } },
  };
  const r = reportClaude(JSON.stringify(deferred), { code: 0 });
  assert.deepEqual(r.deferred, { call: "toolu_1", tool: "Bash", command: "npm install x" });
  assert.equal(r.failure, undefined);
  const failed = {
    type: "result",
    "is_error": true,
    result: "boom",
    "permission_denials": [{ "tool_name": "Bash", "tool_input": { command: "rm x" } }],
  };
  assert.match(
    reportClaude(JSON.stringify(failed), { code: 1 }).failure!,
    /boom; it was refused Bash\(rm x\)/,
  );
});

Deno.test("claude launch: read and edit install the permission hook, full does not", () => {
  for (const tier of ["read", "edit", "full"] as const) {
    const argv = claudeBackend.launch(fakeInput({ tier })).argv;
    const i = argv.indexOf("--settings");
    if (tier === "full") {
      assert.equal(i, -1);
      continue;
    }
    const hook = JSON.parse(argv[i + 1]!).hooks.PreToolUse[0];
    assert.equal(hook.matcher, "Bash");
    assert.equal(hook.hooks[0].command, permissionHookCommand(BIN));
  }
  assert.equal(permissionHookCommand("/opt/it's/dispatch"), `'/opt/it'\\''s/dispatch' permission-hook`);
});

Deno.test("claude report (recorded): HTTP 429 is a rate limit", () => {
  const r = reportClaude(sample("claude", "rate_limited.log"), { code: 1 });
  assert.equal(r.rateLimited, true);
  assert.match(r.failure!, /^Claude ended with an error: API Error: Request rejected \(429\)/);
});

Deno.test("claude report: no output, no result, or the root refusal", () => {
  assert.match(reportClaude("", { code: 0 }).failure!, /printed no JSON events/);
  const init = JSON.stringify({ type: "system", subtype: "init", session_id: "s-9" });
  const cut = reportClaude(init + "\n", { code: 0 });
  assert.equal(cut.nativeSession, "s-9");
  assert.match(cut.failure!, /without a result event/);
  const root = reportClaude(
    "--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\n",
    { code: 1 },
  );
  assert.match(root.failure!, /IS_SANDBOX=1/);
});

Deno.test("claude report: an error that is not a rate limit is not retried", () => {
  const result = {
    type: "result",
    "is_error": true,
    "api_error_status": 401,
    result: "API Error: 401 invalid key",
  };
  const r = reportClaude(JSON.stringify(result), { code: 1 });
  assert.equal(r.rateLimited, undefined);
  assert.match(r.failure!, /401 invalid key/);
});
