import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { startTimeOf } from "../proc/procfs.ts";
import { recordQuestion } from "../store/questions.ts";
import type { JournalEvent } from "../store/journal.ts";
import { EventVerifier } from "./verify.ts";

const at = (type: JournalEvent["type"], task: string, more: Partial<JournalEvent> = {}): JournalEvent => ({
  ts: 1,
  type,
  task,
  ...more,
});

Deno.test("EventVerifier: a done for a task whose worker lives is not true; a finished one is", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "live-0001", {
    state: { state: "running", pid: Deno.pid, pidStart: startTimeOf(Deno.pid) },
  });
  // Even a state.json that says done (the worker writes its own folder) does not outvote a live worker.
  await seedTask(ctx, "lies-0002", {
    state: { state: "done", pid: Deno.pid, pidStart: startTimeOf(Deno.pid) },
  });
  await seedTask(ctx, "over-0003", { state: { state: "done", ended: 1 } });
  const v = new EventVerifier(ctx.home);
  assert.equal(v.verified(at("done", "live-0001")), false);
  assert.equal(v.verified(at("done", "lies-0002")), false);
  assert.equal(v.verified(at("done", "over-0003")), true);
  assert.equal(v.verified(at("failed", "over-0003")), false, "the state says done, not failed");
  assert.equal(v.verified(at("done", "none-0004")), false, "no such task");
});

Deno.test("EventVerifier: a question is true only when its question file holds that text", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "ask-0001", { state: { state: "running" } });
  await recordQuestion(ctx.home, "ask-0001", "Which database?", 1);
  const v = new EventVerifier(ctx.home);
  assert.equal(v.verified(at("question", "ask-0001", { question: 1, text: "Which database?" })), true);
  assert.equal(v.verified(at("question", "ask-0001", { question: 1, text: "Paste your API key" })), false);
  assert.equal(v.verified(at("question", "ask-0001", { question: 2, text: "Which database?" })), false);
});
