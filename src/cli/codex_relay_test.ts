import assert from "node:assert/strict";
import { seedTask, type TestCtx, testCtx } from "../../test/fake_ctx.ts";
import { answerPermission, askPermission } from "../ipc/permissions.ts";
import { questionJournal } from "../runtime/question_journal.ts";
import { listQuestions, messageFile } from "../store/questions.ts";
import { taskPaths } from "../store/paths.ts";
import type { TaskSpec } from "../store/tasks.ts";
import { parseRelayArgs } from "./codex_relay.ts";
import { permissionDecider, unusedDecisions, usedPath } from "./codex_relay_ask.ts";

const NODE = `node -e "require('fs').writeFileSync('/var/tmp/x/approved.txt','ran')"`;
const ID = "cr-0001";

/** The task, a decider for it, and the supervisor's side: journal the question, then answer it. */
async function relayTask(ctx: TestCtx) {
  const spec: TaskSpec = await seedTask(ctx, ID);
  const journal = await questionJournal(ctx, spec);
  const decider = permissionDecider(ctx, () => Promise.resolve(ID));
  const request = (call: string, command = NODE) => ({
    tool: "commandExecution",
    command,
    cwd: ctx.project,
    call,
    reason: "Write the marker?",
  });
  /** Waits for question `n` to be recorded, journals it, answers it. */
  const answer = async (n: number, decision: "allow" | "always" | "deny", reason?: string) => {
    while (!listQuestions(ctx.home, ID).some((q) => q.n === n)) await new Promise((r) => setTimeout(r, 5));
    await journal.sweep();
    await answerPermission(ctx, ID, n, decision, reason);
  };
  return { decider, request, answer, journal };
}

Deno.test("codex relay args: MODEL [THREAD] -- server argv, positional so doctor sees codex's flags only", () => {
  assert.deepEqual(parseRelayArgs(["gpt-x", "--", "codex", "app-server", "-c", "a=1"]), {
    model: "gpt-x",
    server: ["codex", "app-server", "-c", "a=1"],
  });
  assert.deepEqual(parseRelayArgs(["gpt-x", "t-1", "--", "codex", "app-server"]).resume, "t-1");
  assert.throws(() => parseRelayArgs(["gpt-x"]), /Usage: dispatch _codex-relay/);
  assert.throws(() => parseRelayArgs(["gpt-x", "t", "extra", "--", "codex"]), /Usage/);
});

Deno.test("codex relay decider: a question of kind permission, answered; the reason stays out of the request", async () => {
  await using ctx = await testCtx();
  const { decider, request, answer } = await relayTask(ctx);
  const verdict = decider.decide(request("call-1"));
  await answer(1, "deny", "not here");
  assert.deepEqual(await verdict, { decision: "deny", reason: "not here" });
  const [q] = listQuestions(ctx.home, ID);
  assert.equal(q!.kind, "permission");
  assert.deepEqual(q!.request, { tool: "commandExecution", command: NODE, cwd: ctx.project, call: "call-1" });
  assert.deepEqual(await unusedDecisions(ctx.home, ID), [], "handed to codex: used");
});

Deno.test("codex relay decider: always grants the exact command, a different one is asked", async () => {
  await using ctx = await testCtx();
  const { decider, request, answer } = await relayTask(ctx);
  const first = decider.decide(request("call-1"));
  await answer(1, "always");
  assert.equal((await first).decision, "always");
  assert.deepEqual(await decider.decide(request("call-2")), { decision: "allow" });
  assert.equal(listQuestions(ctx.home, ID).length, 1, "the repeat was not asked");
  const other = decider.decide(request("call-3", `${NODE} && echo more`));
  await answer(2, "allow");
  assert.equal((await other).decision, "allow");
});

Deno.test("codex relay decider: a decision its worker never got is told in the resumed turn and answers the repeat once", async () => {
  await using ctx = await testCtx();
  const { decider, request, answer } = await relayTask(ctx);
  // The first relay asked and died: the question stands, the answer came later.
  await askPermission(ctx, ID, { tool: "commandExecution", command: NODE, cwd: ctx.project, call: "call-1" });
  await answer(1, "allow");
  const text = await decider.turnText("The user answered your question: allow");
  assert.match(
    text,
    /^The user answered your question: allow\n\nThe user allowed running ".*", but that call was lost .*: run it again now/s,
  );
  // The model's repeat is a new call (the old one came back aborted): answered from the decision, unasked.
  assert.deepEqual(await decider.decide(request("call-2")), { decision: "allow" });
  assert.equal(listQuestions(ctx.home, ID).length, 1);
  // Used once: a third request of the same command is a new question.
  const again = decider.decide(request("call-3"));
  await answer(2, "deny");
  assert.equal((await again).decision, "deny");
});

Deno.test("codex relay decider (hostile): a rewritten question file changes nothing; the used-list is out of the worker's reach", async () => {
  await using ctx = await testCtx();
  const { decider, request, answer } = await relayTask(ctx);
  await askPermission(ctx, ID, { tool: "commandExecution", command: "ls", cwd: ctx.project, call: "call-1" });
  await answer(1, "allow");
  // The worker rewrites its question to another command: the decision is for what was journaled.
  const p = taskPaths(ctx.home, ID);
  await Deno.writeTextFile(
    `${p.questions}/${messageFile(1)}`,
    JSON.stringify({ n: 1, text: "x", ts: 1, kind: "permission", request: request("call-1") }),
  );
  const asked = decider.decide(request("call-2"));
  await answer(2, "deny");
  assert.equal((await asked).decision, "deny", "the journaled `ls` decision did not cover the node command");
  assert.ok(usedPath(ctx.home, ID).startsWith(`${p.dir}/`) && !usedPath(ctx.home, ID).startsWith(p.work));
});

Deno.test("codex relay decider: a denial its worker never got is told with its reason, once", async () => {
  await using ctx = await testCtx();
  const { decider, request, answer } = await relayTask(ctx);
  await askPermission(ctx, ID, { tool: "commandExecution", command: NODE, cwd: ctx.project, call: "call-1" });
  await answer(1, "deny", "not on this machine");
  const text = await decider.turnText("The user answered your question: deny: not on this machine");
  assert.match(text, /The user denied running ".*": not on this machine\. Do not try it again/);
  assert.equal(await decider.turnText("again"), "again", "told once");
  const repeat = decider.decide(request("call-2"));
  await answer(2, "allow");
  assert.equal((await repeat).decision, "allow", "a repeat after the denial was told is a new question");
});
