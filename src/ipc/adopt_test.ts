import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { emit } from "../runtime/events.ts";
import { readSession, updateSession } from "../store/sessions.ts";
import { recordQuestion } from "../store/questions.ts";
import { readSpec } from "../store/tasks.ts";
import { capPending, sessionStartContext } from "./adopt.ts";
import { promptContext } from "./deliver.ts";
import { deliverOnce } from "./stream.ts";

const LIVE = { state: "running" as const, pid: Deno.pid, supervisor: Deno.pid };

Deno.test("sessionStartContext adopts the project's tasks of an ended session, with their questions", async () => {
  await using ctx = await testCtx();
  await updateSession(ctx.home, "old", (r) => ({ ...r, ended: 1 }));
  const spec = await seedTask(ctx, "orph-0001", { state: LIVE, spec: { session: "old" } });
  await recordQuestion(ctx.home, spec.id, "Keep going?", ctx.now());
  await emit(ctx, spec, { type: "question", question: 1, text: "Keep going?" });
  const context = await sessionStartContext(ctx, "new", ctx.cwd);
  assert.ok(context);
  assert.match(
    context,
    /\? orph-0001 asks \(question 1\): "Keep going\?"\n {2}Reply with: dispatch answer orph-0001/,
  );
  assert.match(context, /\(This session now owns: orph-0001\)$/);
  assert.equal(readSpec(ctx.home, spec.id).session, "new");
  assert.deepEqual((await readSession(ctx.home, "new")).active, ["orph-0001"]);
});

Deno.test("sessionStartContext leaves a live session's tasks and other projects alone", async () => {
  await using ctx = await testCtx();
  await updateSession(ctx.home, "alive", (r) => ({ ...r, pid: Deno.pid }));
  await seedTask(ctx, "kept-0002", { state: LIVE, spec: { session: "alive" } });
  await seedTask(ctx, "away-0003", { state: LIVE, spec: { project: "/elsewhere" } });
  assert.equal(await sessionStartContext(ctx, "new", ctx.cwd), "dispatch push: watch", "only its push");
  assert.equal(readSpec(ctx.home, "kept-0002").session, "alive");
  assert.equal(readSpec(ctx.home, "away-0003").session, undefined);
});

Deno.test("sessionStartContext with push monitor hands the notices to the monitor, told once", async () => {
  await using ctx = await testCtx({ env: { CLAUDE_CODE_ENTRYPOINT: "cli" } });
  await updateSession(ctx.home, "old", (r) => ({ ...r, ended: 1 }));
  const spec = await seedTask(ctx, "orph-0004", { state: LIVE, spec: { session: "old" } });
  await recordQuestion(ctx.home, spec.id, "Keep going?", ctx.now());
  await emit(ctx, spec, { type: "question", question: 1, text: "Keep going?" });
  const context = await sessionStartContext(ctx, "new", ctx.cwd);
  assert.equal(context, "dispatch push: monitor\n(This session now owns: orph-0004)");
  assert.equal((await readSession(ctx.home, "new")).push, "monitor");
  const lines: string[] = [];
  await deliverOnce(ctx, "new", (l) => void lines.push(l));
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /^\? orph-0004 asks \(question 1\): "Keep going\?" Reply with: dispatch answer orph-0004/,
  );
  assert.doesNotMatch((await promptContext(ctx, "new")) ?? "", /Keep going/, "the hook does not repeat it");
});

Deno.test("capPending keeps at most 50 notices and names the rest", () => {
  const out = capPending(["a"], Array.from({ length: 60 }, (_, i) => `n${i}`));
  assert.equal(out.length, 50);
  assert.equal(out.at(-1), "(+12 more updates not shown: run 'dispatch status')");
});
