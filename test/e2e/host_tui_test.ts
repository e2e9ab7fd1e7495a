/**
 * The interactive host, proven: the real claude 2.1.330 TUI in a tmux pane
 * (`--plugin-dir` this repository, `--permission-mode default`, offline
 * against the scripted mock model). After a `/clear`, which the monitor must
 * follow, a /dispatch starts a scripted worker that asks a question; the
 * plugin's monitor (`dispatch watch --stream`) puts the question on screen
 * with nothing typed, the model answers it, and the done
 * notice appears the same way; no permission prompt, no `dispatch watch`
 * call. Then a second session in the same project shows a question the ended
 * first one left open, again with nothing typed, and answers it (in
 * `acceptEdits`: no prompt there either).
 * @module
 */
import assert from "node:assert/strict";
import { cliInstalled } from "../mock/cli_env.ts";
import type { NormalizedRequest } from "../mock/mock_server.ts";
import type { SessionRecord } from "../../src/store/sessions.ts";
import { waitFor } from "../helpers.ts";
import {
  bodies,
  createHost,
  currentTurn,
  hostBrain,
  REQUEST,
  startTui,
  tmuxInstalled,
  type Tui,
} from "./host_harness.ts";

const haveTmux = tmuxInstalled();
if (!haveTmux) console.log("host_tui_test: skipped, tmux is not installed (.ci/run installs it)");

/** Every dispatch session record of the host world. */
async function sessionRecords(home: string): Promise<SessionRecord[]> {
  const out: SessionRecord[] = [];
  for await (const f of Deno.readDir(`${home}/sessions`)) {
    if (f.name.endsWith(".json")) out.push(JSON.parse(await Deno.readTextFile(`${home}/sessions/${f.name}`)));
  }
  return out;
}

/** The id on the newest start line on screen that is not in `seen`. */
function startedId(screen: string, seen: string[] = []): string | undefined {
  return [...screen.matchAll(/Dispatched (\S+) \(/g)].map((m) => m[1]!).find((id) => !seen.includes(id));
}

/** Waits for the monitor's line for `task` (`? … asks`, `✓ … done`), which only a notification puts there. */
function monitorLine(tui: Tui, what: string, line: string): Promise<true> {
  return tui.waitScreen(what, (s) => s.includes(`Monitor event: ${line}`) || undefined);
}

Deno.test({
  name: "host tui: question and done reach the interactive claude with nothing typed, no prompt, no re-arm",
  ignore: !cliInstalled("claude") || !haveTmux,
  async fn() {
    const brain = hostBrain({ watch: false });
    await using host = await createHost({ watch: false, brain });
    const transcripts = `${host.claudeHome}/.claude/projects`;

    const first = await startTui(host, { args: ["--permission-mode", "default"], name: "first" });
    try {
      await first.waitScreen("the prompt with the monitor running", (s) => /1 monitor/.test(s) || undefined);
      // /clear: a new session id in the same process; the monitor must follow it (else: push watch).
      await first.type("/clear");
      await waitFor("the monitor to follow the cleared session", async () => {
        const records = await sessionRecords(host.dispatchHome);
        const ended = records.filter((r) => r.ended !== undefined);
        const live = records.filter((r) => r.ended === undefined && (r.monitors ?? []).length > 0);
        return ended.length === 1 && live.length === 1 && live[0]!.push === "monitor" || undefined;
      }, 15_000);
      await first.type(`/dispatch ${REQUEST}`);
      const id = await first.waitScreen("the start line", (s) => startedId(s));
      // From here on nothing is typed: the monitor's notifications drive the session.
      await monitorLine(first, "the question line", `? ${id} asks (question 1)`);
      await host.waitForEvent("answered", id);
      await monitorLine(first, "the done line", `✓ ${id} done`);

      const sent = bodies(host.mock.requests);
      assert.ok(
        sent.some((b) => b.includes("dispatch push: monitor")),
        "the session was not told push: monitor",
      );
      assert.ok(!sent.some((b) => /"command":"dispatch watch/.test(b)), "the model ran dispatch watch");

      // A second task whose question the session leaves open, then the session ends.
      host.mock.setScript((req: NormalizedRequest) => {
        const prompt = JSON.stringify(currentTurn(req.raw)[0] ?? "");
        return prompt.includes("<task-notification>") ? { text: "Left open." } : brain(req);
      });
      await first.type(`/dispatch ${REQUEST.replace("license headers", "headers")}`);
      const open = await first.waitScreen("the second start line", (s) => startedId(s, [id]));
      await monitorLine(first, "the second question line", `? ${open} asks (question 1)`);
      assert.equal(await first.exit(), 0);
    } finally {
      await first[Symbol.asyncDispose]();
    }
    const transcript = [];
    for await (const dir of Deno.readDir(transcripts)) {
      for await (const f of Deno.readDir(`${transcripts}/${dir.name}`)) {
        if (f.name.endsWith(".jsonl")) {
          transcript.push(await Deno.readTextFile(`${transcripts}/${dir.name}/${f.name}`));
        }
      }
    }
    assert.ok(transcript.length > 0, "no transcript written");
    assert.ok(
      !transcript.some((t) => /"command":"dispatch watch/.test(t)),
      "the transcript has a dispatch watch call",
    );

    host.mock.setScript(brain);
    const open = (await host.journal()).findLast((e) => e.type === "question")?.task as string;
    // acceptEdits here: the handed-over answer runs without a prompt in that mode too.
    await using second = await startTui(host, { args: ["--permission-mode", "acceptEdits"], name: "second" });
    await monitorLine(second, "the handed-over question", `? ${open} asks (question 1)`);
    await host.waitForEvent("answered", open);
    await monitorLine(second, "the handed-over task's done line", `✓ ${open} done`);
  },
});
