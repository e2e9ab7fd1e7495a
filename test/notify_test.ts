import assert from "node:assert/strict";
import {
  allScenarios,
  runBin,
  sandbox,
  scenarioConfig,
  startTask,
  waitFor,
  waitForState,
  waitForStatus,
} from "./helpers.ts";
import { tempDir } from "./temp_dir.ts";

function hook(sb: Awaited<ReturnType<typeof sandbox>>, event: string, input: Record<string, unknown>) {
  return sb.run(["hook", event], {
    stdin: JSON.stringify({ hook_event_name: event, cwd: sb.project, ...input }),
  });
}

function context(stdout: string): string | undefined {
  if (stdout.trim() === "") return undefined;
  const parsed = JSON.parse(stdout);
  return parsed.hookSpecificOutput.additionalContext;
}

Deno.test("hook: UserPromptSubmit delivers a session's question once, verbatim, with the answer command", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "ask", ["--session", "host-a"]);
  const other = await startTask(sb, "ask", ["--session", "host-b"]);
  await waitForState(sb, id, ["waiting"]);
  await waitForState(sb, other, ["waiting"]);
  const first = await hook(sb, "UserPromptSubmit", { session_id: "host-a", prompt: "hi" });
  assert.equal(first.code, 0);
  const parsed = JSON.parse(first.stdout);
  assert.equal(parsed.hookSpecificOutput.hookEventName, "UserPromptSubmit");
  const text = parsed.hookSpecificOutput.additionalContext as string;
  assert.match(text, new RegExp(`\\? ${id} asks \\(question 1\\): "Which database should I use\\?"`));
  assert.match(text, new RegExp(`dispatch answer ${id} --question 1 "<answer>"`));
  assert.ok(!text.includes(other), "another session's task is not reported here");
  const second = await hook(sb, "UserPromptSubmit", { session_id: "host-a", prompt: "again" });
  assert.equal(second.stdout, "", "nothing new: nothing printed");
  await sb.run(["answer", id, "Postgres"]);
  await waitForState(sb, id, ["done"]);
  const third = context(
    (await hook(sb, "UserPromptSubmit", { session_id: "host-a", prompt: "and?" })).stdout,
  )!;
  assert.match(third, new RegExp(`✓ ${id} done 3/3 in \\d+s\\. Result: .*/tasks/${id}/work/output\\.md`));
  assert.ok(!third.includes("Which database"), "the question is not repeated");
});

Deno.test("hook: never breaks the prompt: bad stdin or a broken home prints nothing and exits 0", async () => {
  await using sb = await sandbox();
  await startTask(sb, "tick_all", ["--session", "s1"]);
  const bad = await sb.run(["hook", "UserPromptSubmit"], { stdin: "{not json" });
  assert.equal(bad.code, 0);
  assert.equal(bad.stdout, "");
  assert.match(await Deno.readTextFile(`${sb.home}/errors.log`), /hook UserPromptSubmit: SyntaxError/);
  // A session file that cannot be read at all (a truncated one is read as empty and delivers, by design).
  await Deno.remove(`${sb.home}/sessions/s1.json`);
  await Deno.mkdir(`${sb.home}/sessions/s1.json`);
  const broken = await hook(sb, "UserPromptSubmit", { session_id: "s1" });
  assert.equal(broken.code, 0);
  assert.equal(broken.stdout, "");
  const fresh = await runBin(["hook", "UserPromptSubmit"], {
    ...sb.env,
    DISPATCH_HOME: `${sb.home}/never-used`,
  }, {
    stdin: JSON.stringify({ session_id: "x" }),
  });
  assert.equal(fresh.stdout, "");
  await assert.rejects(Deno.stat(`${sb.home}/never-used`), "a user who never dispatched gets no folder");
});

Deno.test("hook: the context stays under 10,000 characters however much happened", async () => {
  await using sb = await sandbox();
  const ids = await Promise.all(
    Array.from({ length: 12 }, () => startTask(sb, "ask", ["--session", "busy"])),
  );
  for (const id of ids) await waitForState(sb, id, ["waiting"]);
  // Notices are relayed only when true of their task: the failures are of tasks that really failed.
  const failed = await Promise.all(
    Array.from({ length: 12 }, () => startTask(sb, "crash", ["--session", "x"])),
  );
  for (const id of failed) await waitForState(sb, id, ["failed"]);
  const events = failed.flatMap((id) =>
    Array.from(
      { length: 40 },
      (_, i) =>
        JSON.stringify({
          ts: Date.now(),
          type: "failed",
          task: id,
          session: "busy",
          text: `reason ${i} ${"x".repeat(100)}`,
        }),
    )
  );
  await Deno.writeTextFile(`${sb.home}/journal.jsonl`, events.join("\n") + "\n", { append: true });
  const text = context((await hook(sb, "UserPromptSubmit", { session_id: "busy" })).stdout)!;
  assert.ok(text.length < 10_000, `${text.length} chars`);
  assert.ok(text.indexOf("asks") < text.indexOf("failed"), "questions come first");
  assert.equal((text.match(/ asks \(question/g) ?? []).length, 12, "every question made it");
  assert.match(text, /\(\+\d+ more updates not shown: run 'dispatch status'\)/);
});

Deno.test("hook: SessionStart hands a new session the open questions of an ended session's tasks", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "ask", ["--session", "old"]);
  await waitForState(sb, id, ["waiting"]);
  await hook(sb, "UserPromptSubmit", { session_id: "old" }); // delivered to the old session
  const alive = await hook(sb, "SessionStart", { session_id: "new", source: "startup" });
  assert.equal(
    context(alive.stdout),
    "dispatch push: watch",
    "the old session may still be alive: nothing is taken",
  );
  await hook(sb, "SessionEnd", { session_id: "old", reason: "other" });
  const text = context((await hook(sb, "SessionStart", { session_id: "new2", source: "startup" })).stdout)!;
  assert.match(text, new RegExp(`\\? ${id} asks \\(question 1\\): "Which database should I use\\?"`));
  assert.match(text, new RegExp(`This session now owns: ${id}`));
  await sb.run(["answer", id, "ok"]);
  await waitForState(sb, id, ["done"]);
  const after = context((await hook(sb, "UserPromptSubmit", { session_id: "new2" })).stdout)!;
  assert.match(after, new RegExp(`✓ ${id} done`), "later events go to the adopting session");
});

Deno.test("watch: wakes on a question, once per event; an unreported earlier event wakes it at once", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "ask3", ["--session", "w"]);
  const woke = await sb.run(["watch", "--session", "w", "--timeout", "20s"]);
  assert.equal(woke.code, 0, woke.stderr);
  assert.equal(
    woke.stdout.trim(),
    `dispatch: ${id} asked a question. Details arrive with this turn (or run: dispatch status).`,
  );
  // Same open question, not answered yet: a re-armed watch must not wake for it again.
  const quiet = await sb.run(["watch", "--session", "w", "--timeout", "1s"]);
  assert.equal(quiet.code, 124, quiet.stdout);
  assert.match(quiet.stderr, /Nothing needed the host before the watch timed out/);
  await sb.run(["answer", id, "one"]);
  await waitForStatus(
    sb,
    id,
    "the second question",
    (s) => (s.questions as { n: number }[])[0]?.n === 2 ? true : undefined,
  );
  // The second question came while no watch ran: the next watch wakes for it (exit 0; its timeout is 124).
  const late = await sb.run(["watch", "--session", "w", "--timeout", "20s"]);
  assert.equal(late.code, 0);
  assert.match(late.stdout, new RegExp(`${id} asked a question`));
});

Deno.test("watch: with nothing running it returns at once instead of blocking", async () => {
  await using sb = await sandbox();
  const r = await sb.run(["watch", "--session", "idle", "--timeout", "10s"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), "dispatch: no running tasks to watch.");
});

Deno.test("ask: a timed-out ask keeps the question open, and asking again waits on the same one", async () => {
  // `ask` asks only for the worker it runs in: the two asks run inside a worker (a small sh script).
  await using dir = await tempDir("dispatch-asker-");
  await Deno.writeTextFile(
    `${dir.path}/asker.sh`,
    [
      "d=${DISPATCH_PLAN%/*}",
      '$DISPATCH_BIN ask --timeout 300ms "Deploy now?" >"$d/first.out" 2>"$d/first.err"; echo $? >"$d/first.code"',
      '$DISPATCH_BIN ask --timeout 20s "Deploy now?" >"$d/again.out" 2>"$d/again.err"; echo $? >"$d/again.code"',
      "sleep 30",
    ].join("\n") + "\n",
  );
  await using sb = await sandbox(
    scenarioConfig(allScenarios()).replace(
      "models:\n",
      `  asker:\n    command: "sh ${dir.path}/asker.sh"\n    model_flag: ""\nmodels:\n  sh-asker: { backend: asker }\n`,
    ),
  );
  const id = await startTask(sb, "sh-asker");
  const task = `${sb.home}/tasks/${id}/work`;
  const codeOf = (name: string) =>
    waitFor(
      `the ${name} ask to end`,
      () => Deno.readTextFile(`${task}/${name}.code`).then(Number, () => undefined),
    );
  assert.equal(await codeOf("first"), 124);
  assert.match(
    await Deno.readTextFile(`${task}/first.err`),
    /No answer yet: question 1 is still open; run the same 'dispatch ask' command again/,
  );
  await waitForStatus(
    sb,
    id,
    "ask to wait again",
    (s) => (s.questions as unknown[]).length === 1 ? true : undefined,
  );
  assert.equal((await sb.run(["answer", id, "yes"])).code, 0);
  assert.equal(await codeOf("again"), 0, await Deno.readTextFile(`${task}/again.err`));
  assert.equal(await Deno.readTextFile(`${task}/again.out`), "yes\n");
  const questions = await Array.fromAsync(Deno.readDir(`${task}/questions`));
  assert.equal(questions.length, 1, "asked once");
  const outside = await sb.run(["ask", "hello"]);
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /No task: run 'dispatch ask' inside a worker/);
});

Deno.test("hook: with no task running and nothing new, the launcher answers without starting Deno", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "tick_all", ["--session", "idle"]);
  await waitForState(sb, id, ["done"]);
  const first = context((await hook(sb, "UserPromptSubmit", { session_id: "idle" })).stdout)!;
  assert.match(first, new RegExp(`✓ ${id} done`));
  const marker = await Deno.readTextFile(`${sb.home}/sessions/idle.idle`);
  assert.equal(Number(marker), (await Deno.stat(`${sb.home}/journal.jsonl`)).size);
  // A corrupt session file would make the Deno hook log an error: none means Deno never ran.
  await Deno.writeTextFile(`${sb.home}/sessions/idle.json`, "{corrupt");
  const quiet = await hook(sb, "UserPromptSubmit", { session_id: "idle", prompt: 'say "session_id":"x"' });
  assert.equal(quiet.code, 0);
  assert.equal(quiet.stdout, "");
  await assert.rejects(Deno.stat(`${sb.home}/errors.log`), "the fast path did not start Deno");
  // The journal grows: Deno runs again and delivers the news (of a task that did fail: notices must be true).
  const crashed = await startTask(sb, "crash", ["--session", "elsewhere"]);
  await waitForState(sb, crashed, ["failed"]);
  await Deno.writeTextFile(`${sb.home}/sessions/idle.json`, "{}");
  await Deno.writeTextFile(
    `${sb.home}/journal.jsonl`,
    JSON.stringify({ ts: Date.now(), type: "failed", task: crashed, session: "idle", text: "late news" }) +
      "\n",
    { append: true },
  );
  const news = context((await hook(sb, "UserPromptSubmit", { session_id: "idle" })).stdout)!;
  assert.match(news, /late news/);
});
