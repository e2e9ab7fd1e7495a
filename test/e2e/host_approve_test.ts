/**
 * The PreToolUse hook with the real `claude -p --plugin-dir <repo>` as host
 * in `--permission-mode default`, offline against the mock model: no
 * `--allowedTools`, so a Bash call runs only if the hook allows it. The
 * scripted model runs one command per prompt.
 * @module
 */
import assert from "node:assert/strict";
import { cliInstalled } from "../mock/cli_env.ts";
import { bash, createHost, type HostRun, withoutReminders } from "./host_harness.ts";

const ignore = !cliInstalled("claude");
const PLAN = "- [ ] Say hello\n- [ ] Summary: nothing";

/** Runs the command after "RUN " in the prompt, then ends the turn. */
const brain = (req: { lastUserText: string; turnToolResults: string[]; toolNames: string[] }) => {
  if (req.toolNames.length === 0) return { text: "side reply" };
  const command = /RUN ([\s\S]*)$/.exec(req.lastUserText)?.[1];
  if (command && req.turnToolResults.length === 0) return bash(command);
  return { text: "ran" };
};

/** The one Bash call's result, and the permission denials claude reported. */
function outcome(run: HostRun): { text: string; error: boolean; denials: unknown[] } {
  const events = run.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const result = events.findLast((e) => e.type === "result");
  const blocks = events.filter((e) => e.type === "user").flatMap((e) => e.message?.content ?? []);
  const tool = blocks.find((b: { type: string }) => b.type === "tool_result");
  assert.ok(tool, `no tool result:\n${run.stdout.slice(-3000)}`);
  const c = tool.content;
  const text = typeof c === "string" ? c : c.map((x: { text?: string }) => x.text ?? "").join("");
  return {
    text: withoutReminders(text),
    error: tool.is_error === true,
    denials: result?.permission_denials ?? [],
  };
}

Deno.test({
  name: "host approve: in default mode the hook lets dispatch's own commands run and nothing else",
  ignore,
  async fn(t) {
    await using h = await createHost({ watch: false, brain });
    const run = (command: string, env?: Record<string, string>) =>
      h.run(`RUN ${command}`, { args: ["--permission-mode", "default"], env });

    await t.step("dispatch status runs with no rule granted", async () => {
      const r = outcome(await run("dispatch status"));
      assert.equal(r.error, false, r.text);
      assert.match(r.text, /No tasks/);
      assert.deepEqual(r.denials, []);
    });

    await t.step("echo hi; dispatch status is left to the user's rules: denied in -p", async () => {
      const marker = `${h.project}/ran`;
      const r = outcome(await run(`touch ${marker}; dispatch status`));
      assert.equal(r.error, true, r.text);
      assert.equal(r.denials.length, 1);
      await assert.rejects(Deno.stat(marker), Deno.errors.NotFound, "the command ran");
    });

    await t.step("a heredoc start runs, and starts the task", async () => {
      const r = outcome(
        await run(`dispatch start --title "Hello" --model scripted-host --plan - <<'PLAN'\n${PLAN}\nPLAN`),
      );
      assert.equal(r.error, false, r.text);
      assert.match(r.text, /^Dispatched \S+ /);
    });

    await t.step(
      "auto mode, whose check cannot answer here (the mock is no classifier): still no prompt",
      async () => {
        const r = outcome(await h.run("RUN dispatch status --json", { args: ["--permission-mode", "auto"] }));
        assert.equal(r.error, false, r.text);
        assert.deepEqual(r.denials, []);
      },
    );

    await t.step("inside a worker (DISPATCH_TASK set) the same dispatch status is not approved", async () => {
      const r = outcome(await run("dispatch status", { DISPATCH_TASK: "some-task-0000" }));
      assert.equal(r.error, true, r.text);
      assert.equal(r.denials.length, 1);
    });
  },
});
