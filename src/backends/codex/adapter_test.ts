import assert from "node:assert/strict";
import { BIN, fakeInput, HOME, sample, TASK_DIR, WORK_DIR } from "../../../test/fixtures/samples.ts";
import { codexBackend, reportCodex } from "./adapter.ts";

const EXEC_HEAD = [
  "codex",
  "exec",
  "--json",
  "--skip-git-repo-check",
  "-m",
  "model-1",
  "-c",
  "allow_login_shell=false",
];

/** read and edit: dispatch's relay over `codex app-server`. */
const RELAY_HEAD = [
  BIN,
  "_codex-relay",
  "model-1",
  "--",
  "codex",
  "app-server",
  "-c",
  "allow_login_shell=false",
];

Deno.test("codex launch: edit tier is the relay over app-server, the workspace profile with $DISPATCH_HOME read-only but the task folder; prompt on stdin", () => {
  const spec = codexBackend.launch(fakeInput());
  assert.deepEqual(spec.argv, [
    ...RELAY_HEAD,
    "-c",
    'default_permissions="dispatch_edit"',
    "-c",
    `permissions.dispatch_edit={extends=":workspace", filesystem={"${HOME}"="read", "${WORK_DIR}"="write"}}`,
  ]);
  assert.equal(spec.stdin, "prompt");
  assert.equal(spec.stdinFile, `${TASK_DIR}/prompt.md`);
});

Deno.test("codex launch: read tier is the relay with a read-only permission profile that can write only the task folder", () => {
  const spec = codexBackend.launch(fakeInput({ tier: "read" }));
  assert.deepEqual(spec.argv.slice(RELAY_HEAD.length), [
    "-c",
    'default_permissions="dispatch_read"',
    "-c",
    `permissions.dispatch_read={extends=":read-only", filesystem={"${WORK_DIR}"="write"}}`,
  ]);
  assert.ok(
    !spec.argv.some((a) => a.startsWith("sandbox_mode")),
    "profiles and sandbox_mode cannot be mixed",
  );
});

Deno.test("codex launch: full tier is `codex exec` in danger-full-access (nothing to ask)", () => {
  const spec = codexBackend.launch(fakeInput({ tier: "full" }));
  assert.deepEqual(spec.argv.slice(0, EXEC_HEAD.length), EXEC_HEAD);
  assert.deepEqual(spec.argv.slice(EXEC_HEAD.length, -1), ["-c", 'sandbox_mode="danger-full-access"']);
  assert.equal(spec.argv.at(-1), "-");
});

Deno.test("codex launch: a path with quotes stays valid TOML", () => {
  const input = fakeInput();
  input.home = '/home/a "b"';
  const spec = codexBackend.launch(input);
  assert.ok(
    spec.argv.some((a) => a.includes(`"/home/a \\"b\\"/tasks/${input.spec.id}/work"="write"`)),
    spec.argv.join(" "),
  );
});

Deno.test("codex launch: the user's config args go to app-server last, env merged, bin replaced", () => {
  const spec = codexBackend.launch(fakeInput({
    backend: { bin: "codex-nightly", args: ["-c", "model_provider=gw"], env: { GW_KEY: "k" } },
    modelArgs: ["-c", "model_reasoning_effort=low"],
  }));
  assert.equal(spec.argv[RELAY_HEAD.indexOf("codex")], "codex-nightly");
  assert.deepEqual(spec.argv.slice(-4), ["-c", "model_provider=gw", "-c", "model_reasoning_effort=low"]);
  assert.deepEqual(spec.env, { GW_KEY: "k" });
});

Deno.test("codex resume: the relay with the thread after the model, the same tier flags; the message on stdin", () => {
  const spec = codexBackend.resume!(fakeInput({ promptFile: `${TASK_DIR}/resume.md` }), "thread-1", "answer");
  assert.deepEqual(spec.argv.slice(0, 5), [BIN, "_codex-relay", "model-1", "thread-1", "--"]);
  assert.ok(spec.argv.includes('default_permissions="dispatch_edit"'));
  assert.equal(spec.stdinFile, `${TASK_DIR}/resume.md`);
});

Deno.test("codex resume in full: `exec resume`, tier as -c overrides (resume takes no -s), thread id then `-`", () => {
  const spec = codexBackend.resume!(
    fakeInput({ tier: "full", promptFile: `${TASK_DIR}/resume.md` }),
    "thread-1",
    "answer",
  );
  assert.deepEqual(spec.argv.slice(0, 4), ["codex", "exec", "resume", "--json"]);
  assert.deepEqual(spec.argv.slice(-2), ["thread-1", "-"]);
  assert.ok(!spec.argv.includes("-s") && !spec.argv.includes("--add-dir"));
});

Deno.test("codex report (recorded): thread id and usage, no cost", () => {
  const r = reportCodex(sample("codex", "happy.log"), { code: 0 });
  assert.match(r.nativeSession!, /^[0-9a-f-]{36}$/);
  assert.deepEqual(r.usage, { inputTokens: 66, outputTokens: 42 });
  assert.equal(r.failure, undefined);
});

Deno.test("codex report (recorded): a resumed run reports its own share of the thread's running total", () => {
  const first = sample("codex", "resume_1.log");
  const second = sample("codex", "resume_2.log");
  assert.deepEqual(reportCodex(first).usage, { inputTokens: 44, outputTokens: 28 });
  const r = reportCodex(second, { earlierLog: first, code: 0 });
  assert.equal(r.nativeSession, reportCodex(first).nativeSession);
  assert.deepEqual(r.usage, { inputTokens: 44, outputTokens: 28 });
  assert.deepEqual(reportCodex(second).usage, { inputTokens: 88, outputTokens: 56 }, "the raw running total");
  // Another thread's earlier total is not subtracted.
  const other = first.replaceAll(r.nativeSession!, "00000000-0000-0000-0000-000000000000");
  assert.deepEqual(reportCodex(second, { earlierLog: other }).usage, { inputTokens: 88, outputTokens: 56 });
});

Deno.test("codex report (recorded): a sandbox refusal is the model's business, not a failure", () => {
  const r = reportCodex(sample("codex", "refused.log"), { code: 0 });
  assert.equal(r.failure, undefined);
});

Deno.test("codex report (recorded): a 429 fails the turn and is a rate limit", () => {
  const r = reportCodex(sample("codex", "rate_limited.log"), { code: 1 });
  assert.equal(r.rateLimited, true);
  assert.match(r.failure!, /^Codex turn failed: exceeded retry limit, last status: 429/);
});

Deno.test("codex report: no events, or no completed turn, is a failure", () => {
  assert.match(reportCodex("", { code: 0 }).failure!, /printed no JSON events/);
  const started = '{"type":"thread.started","thread_id":"t-1"}\n{"type":"turn.started"}\n';
  const r = reportCodex(started, { code: 0 });
  assert.equal(r.nativeSession, "t-1");
  assert.match(r.failure!, /without completing its turn/);
  assert.equal(r.rateLimited, undefined);
});
