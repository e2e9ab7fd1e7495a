import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { emit } from "../runtime/events.ts";
import { homePaths } from "../store/paths.ts";
import { readSession } from "../store/sessions.ts";
import { run } from "./hook.ts";

Deno.test("hook UserPromptSubmit prints the session's news as additionalContext, once", async () => {
  await using ctx = await testCtx();
  const spec = await seedTask(ctx, "news-0001", {
    state: { state: "done", ended: 1 },
    spec: { session: "s1" },
  });
  await emit(ctx, spec, { type: "done", done: 2, total: 2 });
  const input = JSON.stringify({ session_id: "s1" });
  assert.equal(await run({ ...ctx, stdin: () => Promise.resolve(input) }, ["UserPromptSubmit"]), 0);
  const printed = JSON.parse(ctx.out.join(""));
  assert.equal(printed.hookSpecificOutput.hookEventName, "UserPromptSubmit");
  assert.match(printed.hookSpecificOutput.additionalContext, /✓ news-0001 done 2\/2/);
  ctx.out.length = 0;
  await run({ ...ctx, stdin: () => Promise.resolve(input) }, ["UserPromptSubmit"]);
  assert.deepEqual(ctx.out, []);
});

Deno.test("hook never breaks the prompt: bad input is logged, nothing printed, exit 0", async () => {
  await using ctx = await testCtx();
  await emit(ctx, await seedTask(ctx, "news-0002"), { type: "started" }); // a journal: the hook has work
  assert.equal(await run({ ...ctx, stdin: () => Promise.resolve("{not json") }, ["UserPromptSubmit"]), 0);
  assert.deepEqual(ctx.out, []);
  assert.match(await Deno.readTextFile(homePaths(ctx.home).errors), /hook UserPromptSubmit: SyntaxError/);
});

Deno.test("hook SessionEnd marks the session ended on the ctx clock", async () => {
  await using ctx = await testCtx();
  const input = JSON.stringify({ session_id: "s2" });
  assert.equal(await run({ ...ctx, stdin: () => Promise.resolve(input) }, ["SessionEnd"]), 0);
  assert.equal((await readSession(ctx.home, "s2")).ended, ctx.now());
});
