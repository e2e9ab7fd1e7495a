import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { TimeoutError } from "../errors.ts";
import { emit } from "../runtime/events.ts";
import { readSession } from "../store/sessions.ts";
import { recordQuestion } from "../store/questions.ts";
import { wakeLine, watch } from "./watch.ts";

const LIVE = { state: "running" as const, pid: Deno.pid, supervisor: Deno.pid };

Deno.test("watch wakes on its session's event and moves its cursor past it", async () => {
  await using ctx = await testCtx();
  const mine = await seedTask(ctx, "mine-0001", { state: LIVE, spec: { session: "s1" } });
  const other = await seedTask(ctx, "other-0002", { state: LIVE, spec: { session: "s2" } });
  const woke = watch(ctx, { session: "s1" });
  await ctx.clock.settled();
  await emit(ctx, other, { type: "done" });
  await emit(ctx, mine, { type: "progress", done: 1, total: 2 });
  await recordQuestion(ctx.home, "mine-0001", "Which?", ctx.now()); // a question event is relayed only with its file
  await emit(ctx, mine, { type: "question", question: 1, text: "Which?" });
  assert.equal(
    await woke,
    "dispatch: mine-0001 asked a question. Details arrive with this turn (or run: dispatch status).",
  );
  assert.ok((await readSession(ctx.home, "s1")).watch! > 0);
  const again = watch(ctx, { session: "s1", timeoutMs: 5000 });
  await ctx.clock.settled();
  ctx.clock.advance(5000);
  await assert.rejects(again, TimeoutError, "the same event does not wake it twice");
});

Deno.test("watch returns at once when nothing is left to watch", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "over-0003", { state: { state: "done", ended: 1 }, spec: { session: "s1" } });
  assert.equal(await watch(ctx, { session: "s1" }), "dispatch: no running tasks to watch.");
});

Deno.test("watch times out on the ctx clock", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "live-0004", { state: LIVE });
  const t0 = ctx.now();
  await assert.rejects(
    ctx.clock.runUntil(watch(ctx, { timeoutMs: 60_000, reconcileMs: 2000 })),
    /Nothing needed the host before the watch timed out/,
  );
  assert.equal(ctx.now() - t0, 60_000);
});

Deno.test("wakeLine names each task once", () => {
  const e = (task: string, type: "done" | "waiting") => ({ ts: 0, task, type });
  assert.equal(
    wakeLine([e("a", "done"), e("a", "done"), e("b", "waiting")]),
    "dispatch: a done; b is waiting for an answer. Details arrive with this turn (or run: dispatch status).",
  );
});
