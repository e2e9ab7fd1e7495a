/**
 * End to end with the real `claude -p --plugin-dir <repo>` as the host,
 * offline against the mock Anthropic server, and the built-in scripted
 * worker behind the default model. Every assertion is on whole request
 * bodies as the mock received them, because where Claude Code puts hook
 * context depends on the model.
 * @module
 */
import assert from "node:assert/strict";
import { cliInstalled } from "../mock/cli_env.ts";
import { formatHostContext, hostContextFromBody } from "../../bench/host_context.ts";
import {
  ANSWER,
  count,
  createHost,
  type Host,
  type HostRun,
  jsonText,
  MODEL,
  QUESTION,
  REQUEST,
  TITLE,
  withoutReminders,
} from "./host_harness.ts";

const ignore = !cliInstalled("claude");
/** No rule granted: the plugin's PreToolUse hook must let dispatch's own commands run in every turn. */
const DEFAULT_MODE = ["--permission-mode", "default"];
/**
 * A model for which Claude Code puts hook context in <system-reminder> blocks of
 * the user message; the other tests use an unknown id, which gets a role:system
 * message instead (notes: claude-code-plugins §4.5).
 */
const SYSTEM_REMINDER_MODEL = "claude-sonnet-4-5-20250929";

function assertRan(run: HostRun, what: string): void {
  assert.equal(run.code, 0, `${what}: claude exited ${run.code}\n${run.stderr}\n${run.stdout.slice(-2000)}`);
  assert.ok(run.requests.length > 0, `${what}: no model request reached the mock`);
  assert.ok(run.sessionId, `${what}: no session id in the output`);
}

/** Tool results of the whole conversation that answer a Bash call starting with `prefix`. */
function toolResultsOf(run: HostRun, prefix: string): { text: string; error: boolean }[] {
  const last = run.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
  const calls = new Map<string, string>();
  const out: { text: string; error: boolean }[] = [];
  for (const m of last.messages) {
    if (!Array.isArray(m.content)) continue;
    for (const b of m.content as Record<string, unknown>[]) {
      if (b.type === "tool_use") {
        calls.set(String(b.id), String((b.input as { command?: string }).command ?? ""));
      }
      if (b.type === "tool_result" && calls.get(String(b.tool_use_id))?.startsWith(prefix)) {
        const c = b.content;
        const text = typeof c === "string" ? c : (c as { text?: string }[]).map((x) => x.text ?? "").join("");
        out.push({ text: withoutReminders(text), error: b.is_error === true });
      }
    }
  }
  return out;
}

/** The id `dispatch start` printed in this run. */
function startedId(run: HostRun): string {
  const results = toolResultsOf(run, "dispatch start");
  assert.equal(results.length, 1, "expected exactly one dispatch start call");
  assert.equal(results[0]!.error, false, `dispatch start failed: ${results[0]!.text}`);
  const id = /^Dispatched (\S+) /.exec(results[0]!.text)?.[1];
  assert.ok(id, `no task id in: ${results[0]!.text}`);
  return id;
}

async function withHost(
  opts: { watch: boolean; answerOnStdin?: boolean },
  fn: (h: Host) => Promise<void>,
): Promise<void> {
  await using host = await createHost(opts);
  await fn(host);
}

Deno.test({
  name: "host: /dispatch starts a worker with no permission flags; the question reaches the next prompt once",
  ignore,
  fn: () =>
    withHost({ watch: false, answerOnStdin: true }, async (h) => {
      // Turn 1: the slash command. No --allowedTools: the PreToolUse hook must approve the helper.
      const t1 = await h.run(`/dispatch ${REQUEST}`, { model: SYSTEM_REMINDER_MODEL });
      assertRan(t1, "turn 1");
      const first = t1.requests[0]!.text;
      // Typed bare, expanded under the plugin's namespace: the frontmatter name made /dispatch resolve.
      assert.ok(
        first.includes("<command-name>/dispatch:dispatch</command-name>"),
        "bare /dispatch did not resolve",
      );
      assert.ok(first.includes(jsonText(`Request: ${REQUEST}`)), "the request did not reach the expansion");
      assert.ok(first.includes("# dispatch: you orchestrate, workers work"), "the playbook was not included");
      const id = startedId(t1);
      const task = JSON.parse(await Deno.readTextFile(`${h.dispatchHome}/tasks/${id}/task.json`));
      assert.equal(task.session, t1.sessionId, "the task is not routed to the host session");
      assert.equal(task.title, TITLE);
      // The model came from `dispatch resolve` on the user's words, not from the config's default.
      const resolved = toolResultsOf(t1, "dispatch resolve");
      assert.equal(resolved.length, 1, "the host did not resolve the model");
      assert.equal(resolved[0]!.text, `--model ${MODEL} (${MODEL})`);
      assert.equal(task.model, MODEL);

      // The worker asks while no host turn is running.
      await h.waitForEvent("question", id);
      const notice = jsonText(`? ${id} asks (question 1): ${JSON.stringify(QUESTION)}`);
      const command = jsonText(`dispatch answer ${id} --question 1 "<answer>"`);
      assert.ok(!t1.requests.some((r) => r.text.includes(jsonText(QUESTION))), "question leaked into turn 1");

      // Turn 2: any user prompt; the hook puts the question and the answer command in front of the model.
      const t2 = await h.run("Any news from the workers?", {
        resume: t1.sessionId,
        args: DEFAULT_MODE,
        model: SYSTEM_REMINDER_MODEL,
      });
      assertRan(t2, "turn 2");
      assert.equal(t2.sessionId, t1.sessionId);
      assert.ok(t2.requests[0]!.text.includes(notice), "turn 2 did not get the question");
      assert.ok(t2.requests[0]!.text.includes(command), "turn 2 did not get the answer command");
      const answers = toolResultsOf(t2, `dispatch answer ${id}`);
      assert.equal(answers.length, 1);
      assert.equal(answers[0]!.error, false, `dispatch answer failed: ${answers[0]!.text}`);

      // The worker carries on with the answer and finishes.
      const done = await h.waitForEvent("done", id);
      assert.ok(done);
      const log = await Deno.readTextFile(`${h.dispatchHome}/tasks/${id}/worker.log`);
      assert.ok(log.includes(`answer: ${ANSWER}`), `the worker did not get the answer:\n${log}`);

      // Turn 3: the completion line reaches the model; the question is not delivered again.
      const t3 = await h.run("And now?", {
        resume: t1.sessionId,
        args: DEFAULT_MODE,
        model: SYSTEM_REMINDER_MODEL,
      });
      assertRan(t3, "turn 3");
      const last = t3.requests.at(-1)!.text;
      assert.match(
        last,
        new RegExp(
          `✓ ${id} done \\d+/\\d+ in \\S+\\. Result: ${h.dispatchHome}/tasks/${id}/work/output\\.md`,
        ),
      );
      assert.equal(count(last, notice), 1, "the question was delivered more than once across turns");
      assert.equal(count(last, `✓ ${id} done`), 1, "the completion was delivered more than once");
      const figures = hostContextFromBody(t3.requests.at(-1)!.body);
      assert.equal(figures.deliveries, 2, "expected two hook deliveries: the question, the result");
      assert.ok(figures.withinBudget, formatHostContext(figures));
    }),
});

Deno.test({
  name: "host: the background dispatch watch wakes the host for the question, the answer, then the result",
  ignore,
  fn: () =>
    withHost({ watch: true }, async (h) => {
      // One -p process: Claude Code waits for the background watch and runs a notification turn per wake-up.
      const run = await h.run(`/dispatch ${REQUEST}`, { args: DEFAULT_MODE, timeoutMs: 60_000 });
      assertRan(run, "watch run");
      const id = startedId(run);
      const notice = jsonText(`? ${id} asks (question 1): ${JSON.stringify(QUESTION)}`);
      const command = jsonText(`dispatch answer ${id} --question 1 "<answer>"`);

      const watches = toolResultsOf(run, "dispatch watch");
      assert.equal(watches.length, 2, "the watch was not armed after starting and re-armed after answering");
      assert.ok(watches.every((w) => !w.error && w.text.includes("running in background")));

      // The wake-up turns are Claude Code's task notifications, with the details injected by the hook.
      const last = run.requests.at(-1)!.text;
      const messages = JSON.stringify((run.requests.at(-1)!.body as { messages: unknown[] }).messages);
      assert.equal(
        count(messages, "<task-notification>"),
        2,
        "expected exactly two wake-ups: the question, the result",
      );
      const firstWithQuestion = run.requests.findIndex((r) => r.text.includes(notice));
      assert.ok(firstWithQuestion > 0, "no request carried the question");
      assert.ok(
        run.requests[firstWithQuestion]!.text.includes("task-notification"),
        "question not on a wake-up",
      );
      assert.ok(run.requests[firstWithQuestion]!.text.includes(command));

      const answers = toolResultsOf(run, `dispatch answer ${id}`);
      assert.equal(answers.length, 1);
      assert.equal(answers[0]!.error, false, answers[0]!.text);

      assert.match(
        last,
        new RegExp(
          `✓ ${id} done \\d+/\\d+ in \\S+\\. Result: ${h.dispatchHome}/tasks/${id}/work/output\\.md`,
        ),
      );
      assert.equal(count(last, notice), 1, "the question was delivered more than once");
      assert.equal(count(last, `✓ ${id} done`), 1, "the completion was delivered more than once");
      assert.match(run.result, new RegExp(`${id} finished: .*output\\.md`));
      // claude -p runs no plugin monitor: SessionStart told the host its push is the watch, and no monitor ever
      // registered for the session (one would have turned its push to monitor).
      assert.ok(
        /(?<!`)dispatch push: watch(?!`)/.test(run.requests[0]!.text), // not the playbook's quoted mention
        "SessionStart did not say push: watch",
      );
      assert.ok(
        !run.requests.some((r) => /(?<!`)dispatch push: monitor(?!`)/.test(r.text)),
        "told push: monitor in -p",
      );
      const record = JSON.parse(await Deno.readTextFile(`${h.dispatchHome}/sessions/${run.sessionId}.json`));
      assert.equal(record.push, "watch");
      assert.equal(record.monitors, undefined, "a monitor ran in -p");

      // The whole lifecycle cost the host's context little: start line + notices + ack within budget.
      const figures = hostContextFromBody(run.requests.at(-1)!.body);
      assert.equal(figures.deliveries, 2, "expected two hook deliveries: the question, the result");
      assert.ok(figures.withinBudget, formatHostContext(figures));
    }),
});

Deno.test({
  name:
    "host: a new session, not a worker's, gets a question left open by an ended session; /dispatch-status works",
  ignore,
  fn: () =>
    withHost({ watch: false }, async (h) => {
      const s1 = await h.run(`/dispatch:dispatch ${REQUEST}`);
      assertRan(s1, "session 1");
      const id = startedId(s1);
      await h.waitForEvent("question", id);
      const record = JSON.parse(await Deno.readTextFile(`${h.dispatchHome}/sessions/${s1.sessionId}.json`));
      assert.ok(typeof record.ended === "number", "SessionEnd was not recorded for session 1");

      // A dispatch worker that is itself a Claude Code session with this plugin is no host:
      // it neither hears about the orphaned task nor takes it over.
      const worker = await h.run("Work on your plan.", { env: { DISPATCH_TASK: "some-other-task-0000" } });
      assertRan(worker, "worker session");
      assert.ok(
        !worker.requests.some((r) => r.text.includes(jsonText(QUESTION))),
        "a worker heard the question",
      );
      const kept = JSON.parse(await Deno.readTextFile(`${h.dispatchHome}/tasks/${id}/task.json`));
      assert.equal(kept.session, s1.sessionId, "a worker session took over the task");

      // A new session (not a resume) in the same project, opened with /dispatch-status.
      const s2 = await h.run("/dispatch-status");
      assertRan(s2, "session 2");
      assert.notEqual(s2.sessionId, s1.sessionId);
      const first = s2.requests[0]!.text;
      assert.ok(first.includes(jsonText(`? ${id} asks (question 1): ${JSON.stringify(QUESTION)}`)));
      assert.ok(first.includes(jsonText(`dispatch answer ${id} --question 1 "<answer>"`)));
      const spec = JSON.parse(await Deno.readTextFile(`${h.dispatchHome}/tasks/${id}/task.json`));
      assert.equal(spec.session, s2.sessionId, "the new session did not adopt the task");

      // The board, expanded by the command's !`dispatch status`, is in the prompt itself.
      const body = s2.requests[0]!.body as { messages: { role: string; content: unknown }[] };
      const prompt = JSON.stringify(body.messages.filter((m) => m.role === "user"));
      const at = prompt.indexOf("<command-name>/dispatch:dispatch-status</command-name>");
      assert.ok(at >= 0, "/dispatch-status did not resolve");
      const expansion = prompt.slice(at);
      assert.ok(expansion.includes(id), "the board did not reach the model");
      assert.ok(expansion.includes("That is the dispatch board"));
      assert.equal(s2.result, "Board shown.");
    }),
});

Deno.test({
  name: "host: /dispatch with no request writes the first config and says it is ready",
  ignore,
  fn: () =>
    withHost({ watch: false }, async (h) => {
      await Deno.remove(`${h.dispatchHome}/config.yaml`);
      const run = await h.run("/dispatch");
      assertRan(run, "/dispatch");
      const init = toolResultsOf(run, "dispatch config init");
      assert.equal(init.length, 1);
      assert.match(init[0]!.text, /^Wrote .*config\.yaml/);
      const show = toolResultsOf(run, "dispatch config show");
      assert.equal(show[0]?.error, false, show[0]?.text);
      assert.ok((await Deno.stat(`${h.dispatchHome}/config.yaml`)).isFile);
      assert.equal(run.result, "dispatch is ready.");
    }),
});
