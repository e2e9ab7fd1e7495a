/**
 * A worker's permission request reaches the real `claude -p --plugin-dir
 * <repo>` host, in `--permission-mode default`, offline against the mock
 * model. The worker is test/fixtures/permission_worker: it asks through
 * dispatch's own path, `dispatch permission-hook` with the PreToolUse JSON a
 * claude worker's hook gets (the claude worker side is
 * permission_claude_test.ts). The host's UserPromptSubmit hook delivers the
 * notice; the scripted host model answers with the command from it. Its
 * `deny` is approved by dispatch's PreToolUse hook; its `allow` is not: the
 * user's own rule or prompt decides.
 * @module
 */
import assert from "node:assert/strict";
import { cliInstalled } from "../mock/cli_env.ts";
import type { NormalizedRequest, Reply } from "../mock/mock_server.ts";
import { waitFor } from "../helpers.ts";
import {
  bash,
  conversationText,
  createHost,
  type Host,
  type HostRun,
  jsonText,
  ROOT,
} from "./host_harness.ts";

const ignore = !cliInstalled("claude");
const DEFAULT_MODE = ["--permission-mode", "default"];
const FIRST = "npm install left-pad";
const SECOND = "npm publish --dry-run";
const REASON = "use the vendored copy in lib/";
const PLAN = "- [ ] Add left-pad\n- [ ] Summary: what was installed";

/** A permission notice as the hook renders it: task, number, command, cwd, the reply line. */
const NOTICE =
  /\? (\S+) asks permission \(question (\d+)\): run "([^"]*)" in "([^"]*)"\n {2}Reply with: dispatch answer \1 --question \2 allow\|always\|deny \["reason"\]/g;

/**
 * The scripted host model: `RUN <command>` runs it; `Decide: <d>, <d>...`
 * answers the newest permission notice in the conversation with the reply
 * command the notice gave, one decision per tool call.
 */
function brain(req: NormalizedRequest): Reply {
  if (req.toolNames.length === 0) return { text: "side reply" };
  const done = req.turnToolResults.length;
  const run = /RUN ([\s\S]*)$/.exec(req.lastUserText)?.[1];
  if (run) return done === 0 ? bash(run) : { text: "done" };
  const decisions = /Decide: (.*)$/.exec(req.lastUserText)?.[1]?.split(", ") ?? [];
  const found = [...conversationText(req.raw).matchAll(NOTICE)].at(-1);
  if (!found || done >= decisions.length) return { text: found ? "done" : "no permission notice" };
  return bash(`dispatch answer ${found[1]} --question ${found[2]} ${decisions[done]}`);
}

/** The Bash results of a run, in order, and the permission denials claude reported. */
function outcomes(run: HostRun): { results: { text: string; error: boolean }[]; denied: string[] } {
  const events = run.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const result = events.findLast((e) => e.type === "result");
  const blocks = events.filter((e) => e.type === "user").flatMap((e) => e.message?.content ?? []);
  const results = blocks.filter((b: { type: string }) => b.type === "tool_result").map(
    (b: { content: string | { text?: string }[]; is_error?: boolean }) => ({
      text: typeof b.content === "string" ? b.content : b.content.map((x) => x.text ?? "").join(""),
      error: b.is_error === true,
    }),
  );
  assert.ok(results.length > 0, `no tool result:\n${run.stderr}\n${run.stdout.slice(-3000)}`);
  const denials = (result?.permission_denials ?? []) as { tool_input?: { command?: string } }[];
  return { results, denied: denials.map((d) => d.tool_input?.command ?? "") };
}

async function useWorker(h: Host): Promise<void> {
  const worker = `${ROOT}/test/fixtures/permission_worker '${FIRST}' '${SECOND}'`;
  const config = await Deno.readTextFile(`${h.dispatchHome}/config.yaml`);
  await Deno.writeTextFile(
    `${h.dispatchHome}/config.yaml`,
    config
      .replace("backends:\n", `backends:\n  asker: { command: ${JSON.stringify(worker)} }\n`)
      .replace("models:\n", "models:\n  asker: { backend: asker }\n"),
  );
}

Deno.test({
  name:
    "host permission: the request reaches the claude host; its deny runs unasked, its allow needs the user",
  ignore,
  async fn() {
    await using h = await createHost({ watch: false, brain });
    await useWorker(h);

    // Turn 1: the host starts the worker (dispatch's own command, approved by the hook).
    const t1 = await h.run(
      `RUN dispatch start --title "Left pad" --model asker --plan - <<'PLAN'\n${PLAN}\nPLAN`,
      { args: DEFAULT_MODE },
    );
    const started = outcomes(t1).results[0]!;
    assert.equal(started.error, false, started.text);
    const id = /Dispatched (\S+) /.exec(started.text)?.[1];
    assert.ok(id, started.text);

    // The request is an open question of kind permission naming the command.
    await h.waitForEvent("question", id);
    const status = JSON.parse((await h.dispatch(["status", id, "--json"])).stdout);
    const open = status.tasks[0].questions as Record<string, unknown>[];
    assert.equal(open.length, 1, JSON.stringify(status));
    assert.equal(open[0]!.kind, "permission");
    assert.equal((open[0]!.request as Record<string, unknown>).command, FIRST);

    // Turn 2: the hook puts the notice and its reply line before the model; it denies, unprompted.
    const t2 = await h.run("Decide: deny " + JSON.stringify(REASON), {
      resume: t1.sessionId,
      args: DEFAULT_MODE,
    });
    const notice = `? ${id} asks permission (question 1): run "${FIRST}" in "${h.project}"\n` +
      `  Reply with: dispatch answer ${id} --question 1 allow|always|deny ["reason"]`;
    assert.ok(t2.requests[0]!.text.includes(jsonText(notice)), `turn 2 did not get:\n${notice}`);
    const t2out = outcomes(t2);
    assert.equal(t2out.results.length, 1);
    assert.equal(t2out.results[0]!.error, false, t2out.results[0]!.text);
    assert.deepEqual(t2out.denied, []);
    assert.match(t2out.results[0]!.text, /Answered permission question 1 of \S+: deny/);
    await waitQuestion(h, id, 2);
    const log = await Deno.readTextFile(`${h.dispatchHome}/tasks/${id}/worker.log`);
    assert.ok(
      log.includes(`The user denied this command: ${REASON}`),
      `the worker did not get the denial:\n${log}`,
    );

    // Turn 3: the second request; the model's allow and always grant a permission, which is the user's to
    // give: dispatch's hook says nothing, and with no rule and no one to ask claude -p refuses both.
    const t3 = await h.run("Decide: allow, always", { resume: t1.sessionId, args: DEFAULT_MODE });
    assert.ok(
      t3.requests[0]!.text.includes(jsonText(`(question 2): run "${SECOND}"`)),
      "turn 3 had no notice",
    );
    const t3out = outcomes(t3);
    assert.deepEqual(t3out.results.map((r) => [r.error, r.text]), [
      [true, "This command requires approval"],
      [true, "This command requires approval"],
    ]);
    assert.deepEqual(t3out.denied, [
      `dispatch answer ${id} --question 2 allow`,
      `dispatch answer ${id} --question 2 always`,
    ]);
    await assert.rejects(Deno.stat(`${h.dispatchHome}/tasks/${id}/answers/002.json`), Deno.errors.NotFound);
    const still = JSON.parse((await h.dispatch(["status", id, "--json"])).stdout).tasks[0];
    assert.deepEqual(
      still.questions.map((q: { n: number }) => q.n),
      [2],
      "the refused allow changed the task",
    );

    // Turn 4: with the user's own rule the same answer runs, and the decision is stored as allow.
    const t4 = await h.run("Decide: allow", {
      resume: t1.sessionId,
      args: DEFAULT_MODE,
      allowedTools: ["Bash(dispatch answer:*)"],
    });
    const t4out = outcomes(t4);
    assert.equal(t4out.results.length, 1);
    assert.equal(t4out.results[0]!.error, false, t4out.results[0]!.text);
    assert.match(t4out.results[0]!.text, /Answered permission question 2 of \S+: allow/);
    assert.deepEqual(t4out.denied, []);
    const answer = JSON.parse(await Deno.readTextFile(`${h.dispatchHome}/tasks/${id}/answers/002.json`));
    assert.equal(answer.decision, "allow");
    assert.equal(answer.request.command, SECOND);
    const answered = (await h.journal()).filter((e) => e.type === "answered" && e.task === id);
    assert.deepEqual(answered.map((e) => [e.question, e.kind, e.text]), [
      [1, "permission", `deny: ${REASON}`],
      [2, "permission", "allow"],
    ]);
  },
});

async function waitQuestion(h: Host, id: string, n: number): Promise<void> {
  await waitFor(`question ${n} of ${id}`, async () => {
    return (await h.journal()).find((e) => e.type === "question" && e.task === id && e.question === n);
  });
}
