import assert from "node:assert/strict";
import { BIN, fakeInput, sample, TASK_DIR, WORK_DIR } from "../../../test/fixtures/samples.ts";
import { opencodeBackend, reportOpencode } from "./adapter.ts";

const HEAD = ["opencode", "run", "--format", "json", "-m", "model-1"];

function permission(env: Record<string, string> | undefined): unknown {
  return JSON.parse(env?.OPENCODE_PERMISSION ?? "null");
}

Deno.test("opencode launch: prompt on stdin; edit tier allows the work folder outside the project, shell only for `ask`", () => {
  const spec = opencodeBackend.launch(fakeInput());
  assert.deepEqual(spec.argv, HEAD);
  assert.equal(spec.stdin, "prompt");
  assert.equal(spec.stdinFile, `${TASK_DIR}/prompt.md`);
  assert.deepEqual(permission(spec.env), {
    bash: { "*": "deny", [`${BIN} ask *`]: "allow" },
    external_directory: { [`${WORK_DIR}/*`]: "allow" },
  });
});

Deno.test("opencode launch: read tier denies edits and shell except the task folder and `dispatch ask`", () => {
  const spec = opencodeBackend.launch(fakeInput({ tier: "read" }));
  assert.deepEqual(permission(spec.env), {
    edit: { "*": "deny", [`${WORK_DIR}/*`]: "allow", "*/tasks/fix-bug-1a2b/work/*": "allow" },
    bash: { "*": "deny", [`${BIN} ask *`]: "allow" },
    external_directory: { [`${WORK_DIR}/*`]: "allow" },
  });
});

Deno.test("opencode launch: full tier allows everything", () => {
  assert.deepEqual(permission(opencodeBackend.launch(fakeInput({ tier: "full" })).env), { "*": "allow" });
});

Deno.test("opencode launch: the user's OPENCODE_PERMISSION and provider config win", () => {
  const spec = opencodeBackend.launch(fakeInput({
    modelId: "gw/model-2",
    backend: {
      env: { OPENCODE_PERMISSION: '{"bash":"ask"}', OPENCODE_CONFIG: "/etc/oc.json" },
      args: ["--pure"],
    },
  }));
  assert.deepEqual(spec.env, { OPENCODE_PERMISSION: '{"bash":"ask"}', OPENCODE_CONFIG: "/etc/oc.json" });
  assert.deepEqual(spec.argv, ["opencode", "run", "--format", "json", "-m", "gw/model-2", "--pure"]);
});

Deno.test("opencode resume: --session with the id, message on stdin", () => {
  const spec = opencodeBackend.resume!(fakeInput({ promptFile: `${TASK_DIR}/resume.md` }), "ses_1", "answer");
  assert.deepEqual(spec.argv.slice(-2), ["--session", "ses_1"]);
  assert.equal(spec.stdinFile, `${TASK_DIR}/resume.md`);
});

Deno.test("opencode report (recorded): session, tokens and cost summed over the run's steps", () => {
  const r = reportOpencode(sample("opencode", "happy.log"), { code: 0 });
  assert.match(r.nativeSession!, /^ses_/);
  // Six steps at 11 in / 7 out; the mock model costs 1000/2000 USD per million tokens.
  assert.deepEqual(r.usage, { inputTokens: 66, outputTokens: 42, costUsd: 0.15 });
  assert.equal(r.failure, undefined);
});

Deno.test("opencode report (recorded): a resumed run counts only its own steps", () => {
  const first = sample("opencode", "resume_1.log");
  const r = reportOpencode(sample("opencode", "resume_2.log"), { earlierLog: first, code: 0 });
  assert.equal(r.nativeSession, reportOpencode(first).nativeSession);
  assert.deepEqual(r.usage, { inputTokens: 44, outputTokens: 28, costUsd: 0.1 });
});

Deno.test("opencode report (recorded): an auto-rejected permission is counted and named, not a failure by itself", () => {
  const r = reportOpencode(sample("opencode", "refused.log"), { code: 0 });
  assert.equal(r.failure, undefined);
  assert.equal(r.denied, 1);
  assert.equal(
    r.refusal,
    "opencode refused 1 tool call(s): external_directory (/etc/*) (raise the tier, or set OPENCODE_PERMISSION in backends.opencode.env)",
  );
});

Deno.test("opencode report (recorded): a 429 error event is a rate limit", () => {
  const r = reportOpencode(sample("opencode", "rate_limited.log"), { code: 1 });
  assert.equal(r.rateLimited, true);
  assert.equal(r.failure, "opencode failed: mock error 429");
});

Deno.test("opencode report: a deny rule, an error event with a 429, an empty log", () => {
  const denied = {
    type: "tool_use",
    sessionID: "ses_2",
    part: {
      tool: "bash",
      state: {
        status: "error",
        input: { command: "rm -rf x" },
        error: "The user has specified a rule which prevents you from using this specific tool call.",
      },
    },
  };
  assert.match(
    reportOpencode(JSON.stringify(denied), { code: 0 }).refusal!,
    /refused 1 tool call\(s\): bash \(rm -rf x\)/,
  );
  const error = {
    type: "error",
    sessionID: "ses_3",
    error: { name: "APIError", data: { message: "Too Many Requests", statusCode: 429 } },
  };
  const r = reportOpencode(JSON.stringify(error), { code: 1 });
  assert.equal(r.rateLimited, true);
  assert.equal(r.failure, "opencode failed: Too Many Requests");
  assert.match(reportOpencode("", { code: 0 }).failure!, /printed no JSON events/);
});
