/**
 * Claude Code starts a hook and then writes the event JSON to its stdin. A
 * hook that exits without reading it makes that write fail (EPIPE), which is
 * how "hook: never breaks the prompt" flaked under load. Every path of the
 * hook, in the launcher and in Deno, must consume its stdin.
 *
 * The input here is larger than any pipe buffer, so a path that exits
 * unread fails every time, not only when the machine is slow.
 * @module
 */
import assert from "node:assert/strict";
import { sandbox } from "./helpers.ts";

/** A hook event of about 2 MiB: a long pasted prompt, session id first as Claude Code sends it. */
function bigEvent(event: string, session: string): string {
  return JSON.stringify({ session_id: session, hook_event_name: event, prompt: "x".repeat(2 << 20) });
}

Deno.test("hook: every path reads its whole stdin, so the caller's write never breaks", async (t) => {
  await using sb = await sandbox();
  const journal = `${sb.home}/journal.jsonl`;
  const hook = async (event: string, stdin: string) => {
    const r = await sb.run(["hook", event], { stdin });
    assert.equal(r.code, 0, r.stderr);
    return r;
  };

  await t.step("launcher, never dispatched (no journal): exits at once", async () => {
    assert.equal((await hook("UserPromptSubmit", bigEvent("UserPromptSubmit", "s1"))).stdout, "");
    await assert.rejects(Deno.stat(journal), Deno.errors.NotFound);
  });

  await Deno.writeTextFile(journal, "");
  await t.step("launcher, nothing new for an idle session: exits without Deno", async () => {
    await Deno.mkdir(`${sb.home}/sessions`, { recursive: true });
    await Deno.writeTextFile(`${sb.home}/sessions/idle.idle`, "0\n");
    assert.equal((await hook("UserPromptSubmit", bigEvent("UserPromptSubmit", "idle"))).stdout, "");
  });

  await t.step("Deno, UserPromptSubmit with a journal", async () => {
    assert.equal((await hook("UserPromptSubmit", bigEvent("UserPromptSubmit", "s2"))).stdout, "");
  });

  await t.step("Deno, unparsable input", async () => {
    assert.equal((await hook("UserPromptSubmit", "{" + "x".repeat(2 << 20))).stdout, "");
  });

  for (const event of ["SessionStart", "SessionEnd"]) {
    await t.step(`Deno, ${event}`, async () => {
      await hook(event, bigEvent(event, "s3"));
    });
  }
});
