import assert from "node:assert/strict";
import { journal, ROOT, sandbox, startTask, waitForState, waitForStatus } from "./helpers.ts";

Deno.test("lifecycle: start, question, answer, continue, done", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "scripted-ask");
  assert.match(id, /^test-scripted-ask-[0-9a-f]{4}$/);
  const waiting = await waitForState(sb, id, ["waiting"]);
  assert.deepEqual(waiting.questions, [{ n: 1, text: "Which database should I use?" }]);
  const answered = await sb.run(["answer", id, "Use PostgreSQL"]);
  assert.equal(answered.code, 0, answered.stderr);
  const done = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(done.state, "done", String(done.reason));
  assert.deepEqual(done.progress, { done: 3, total: 3 });
  assert.equal(done.exit_code, 0);
  assert.equal(done.native_session, "sess-123");
  assert.deepEqual(done.usage, { input_tokens: 100, output_tokens: 20, cost_usd: 0.001 });
  const log = await Deno.readTextFile(`${sb.home}/tasks/${id}/worker.log`);
  assert.match(log, /answer: Use PostgreSQL/);
  const types = (await journal(sb.home)).filter((e) => e.task === id).map((e) => e.type);
  assert.deepEqual(types.filter((t) => t !== "progress"), ["started", "question", "answered", "done"]);
  const board = await sb.run(["status"]);
  assert.match(board.stdout, /^Total: 100 in \/ 20 out tokens \(1 task\); \$0\.0010$/m);
  const totals = JSON.parse((await sb.run(["status", "--json"])).stdout).totals;
  assert.deepEqual([totals.input_tokens, totals.output_tokens, totals.cost_usd], [100, 20, 0.001]);
  const result = await sb.run(["result", id]);
  assert.match(result.stdout, /Used the answer\./);
});

Deno.test("lifecycle: the worker gets its environment and the prompt names the helper by absolute path", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "tick_all");
  await waitForState(sb, id, ["done"]);
  const prompt = await Deno.readTextFile(`${sb.home}/tasks/${id}/prompt.md`);
  assert.match(prompt, new RegExp(`${sb.home}/tasks/${id}/work/plan.md`));
  assert.match(prompt, /\/bin\/dispatch ask "<your question>"/);
});

Deno.test("lifecycle: exit 0 with items unticked is a failure with that reason", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "partial");
  const s = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(s.state, "failed");
  assert.equal(s.reason, "Worker exited 0 with 2 of 3 items unticked");
  assert.equal(s.exit_code, 0);
});

Deno.test("lifecycle: a crash is recorded with its exit code", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "crash");
  const s = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(s.state, "failed");
  assert.equal(s.exit_code, 3);
  assert.equal(s.reason, "Worker exited with code 3");
});

Deno.test("lifecycle: an item marked [!] fails the task with its reason", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "fail_item");
  const s = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(s.state, "failed");
  assert.match(String(s.reason), /Worker marked an item failed: second — the database is unreachable/);
});

Deno.test("lifecycle: a quiet worker is reported stalled, then runs on to done", async () => {
  await using sb = await sandbox();
  const release = `${sb.home}/release`;
  const quiet = { command: `${ROOT}/test/fixtures/quiet_until ${release}`, "model_flag": "" };
  await Deno.writeTextFile(
    `${sb.home}/config.yaml`,
    JSON.stringify({ default: "quiet", backends: { quiet }, models: { quiet: { backend: "quiet" } } }),
  );
  const id = await startTask(sb, "quiet", ["--stall", "1s"]);
  await waitForState(sb, id, ["stalled"], 10_000);
  await Deno.writeTextFile(release, "");
  const s = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(s.state, "done");
  const stalled = (await journal(sb.home)).find((e) => e.task === id && e.type === "stalled");
  assert.ok(stalled, "a stalled event was journaled");
});

Deno.test("lifecycle: lots of output is kept in the log and tails are bounded", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "flood");
  const s = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(s.state, "done");
  const logs = await sb.run(["logs", id, "-n", "5"]);
  assert.equal(logs.stdout.trim().split("\n").length, 5);
  assert.match(logs.stdout, /line 19999/);
  const detail = await sb.run(["status", id]);
  assert.ok(detail.stdout.length < 4000, `detail view is compact (${detail.stdout.length} bytes)`);
});

Deno.test("lifecycle: unicode in title, plan, output, question and answer", async () => {
  await using sb = await sandbox();
  const r = await sb.run([
    "start",
    "--title",
    "Überprüfung 日本語 🚀",
    "--model",
    "unicode",
    "--plan",
    "-",
    "--json",
  ], {
    stdin: "# Plan ✓\n- [ ] Schritt eins 🚀\n- [ ] 二番目\n",
  });
  assert.equal(r.code, 0, r.stderr);
  const id = JSON.parse(r.stdout).id as string;
  assert.match(id, /^uberprufung-[0-9a-f]{4}$/);
  const waiting = await waitForState(sb, id, ["waiting"]);
  assert.deepEqual(waiting.questions, [{ n: 1, text: "Ça marche? 日本語で答えて 🚀" }]);
  assert.equal((await sb.run(["answer", id, "はい ✓"])).code, 0);
  const s = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(s.state, "done", String(s.reason));
  assert.match(await Deno.readTextFile(`${sb.home}/tasks/${id}/worker.log`), /answer: はい ✓/);
  assert.equal(s.title, "Überprüfung 日本語 🚀");
});

Deno.test("status: the board shows every task of the project with a bar and the open question", async () => {
  await using sb = await sandbox();
  const a = await startTask(sb, "ask");
  const b = await startTask(sb, "tick_all");
  await waitForState(sb, b, ["done"]);
  await waitForState(sb, a, ["waiting"]);
  const board = await sb.run(["status"]);
  assert.equal(board.code, 0);
  assert.match(board.stdout, new RegExp(`${a}\\s+waiting`));
  assert.match(board.stdout, new RegExp(`${b}\\s+done .*██████████ 3/3`));
  assert.match(board.stdout, /\? \(1\) Which database should I use\?/);
  const other = await Deno.makeTempDir();
  const elsewhere = await sb.run(["status"], { cwd: other });
  assert.match(elsewhere.stdout, /No tasks/);
  const all = await sb.run(["status", "--all"], { cwd: other });
  assert.match(all.stdout, new RegExp(a));
  await Deno.remove(other);
});

Deno.test("note: context reaches the worker's plan", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "hang");
  await waitForStatus(sb, id, "worker to run", (s) => s.pid !== null ? true : undefined);
  assert.equal((await sb.run(["note", id, "Prefer small commits"])).code, 0);
  const plan = await Deno.readTextFile(`${sb.home}/tasks/${id}/work/plan.md`);
  assert.match(plan, /## Notes from the user\n- Prefer small commits\n/);
});
