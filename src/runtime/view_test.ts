import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { taskPaths } from "../store/paths.ts";
import { recordQuestion } from "../store/questions.ts";
import { loadView, logTail } from "./view.ts";

Deno.test("loadView shows a live task with an open question as waiting, with its progress", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "view-0001", {
    state: { state: "running", pid: Deno.pid, supervisor: Deno.pid },
    plan: "- [x] a\n- [ ] b\n",
  });
  await recordQuestion(ctx.home, "view-0001", "Which one?", ctx.now());
  const view = await loadView(ctx, "view-0001");
  assert.equal(view.shown, "waiting");
  assert.equal(view.state.state, "running");
  assert.deepEqual(view.progress.done, 1);
  assert.deepEqual(view.questions.map((q) => q.text), ["Which one?"]);
  assert.equal(view.hasOutput, false);
  assert.equal(view.outputPath, taskPaths(ctx.home, "view-0001").output);
});

Deno.test("loadView does not list questions of an ended task", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "view-0002", { state: { state: "cancelled", ended: 1 } });
  await recordQuestion(ctx.home, "view-0002", "Still there?", ctx.now());
  const view = await loadView(ctx, "view-0002");
  assert.equal(view.shown, "cancelled");
  assert.deepEqual(view.questions, []);
});

Deno.test("logTail returns the last lines, dropping a line cut by the byte window", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "view-0003");
  assert.deepEqual(await logTail(ctx, "view-0003", 5), [], "no log yet");
  const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
  await Deno.writeTextFile(taskPaths(ctx.home, "view-0003").log, lines.join("\n") + "\n");
  assert.deepEqual(await logTail(ctx, "view-0003", 3), ["line 97", "line 98", "line 99"]);
  const windowed = await logTail(ctx, "view-0003", 100, 20);
  assert.deepEqual(windowed, ["line 98", "line 99"], "the partial first line is dropped");
});
