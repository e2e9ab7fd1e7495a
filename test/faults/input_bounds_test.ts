/**
 * Inputs bounded while read, and NUL refused in every text accepted:
 * `start --plan` reads at most the limit and one byte more (so /dev/zero
 * costs 64 KiB, not gigabytes), a folder as the plan is one line, and a NUL
 * in a title or plan is refused. Answers, notes and questions: see
 * test/security/answers_test.ts and src/store/questions_test.ts.
 */
import assert from "node:assert/strict";
import { type TestCtx, testCtx, useShellWorker } from "../fake_ctx.ts";
import { main } from "../../src/main.ts";

async function start(ctx: TestCtx, extra: string[]): Promise<{ code: number; err: string }> {
  ctx.err.length = 0;
  const code = await main(ctx, ["start", ...extra]);
  return { code, err: ctx.err.join("") };
}

function tasksOnDisk(ctx: TestCtx): string[] {
  try {
    return [...Deno.readDirSync(`${ctx.home}/tasks`)].map((e) => e.name);
  } catch {
    return [];
  }
}

Deno.test("input bounds: --plan /dev/zero is refused after reading 64 KiB + 1, in one line", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "true");
  const r = await start(ctx, ["--title", "Zero", "--plan", "/dev/zero"]);
  assert.equal(r.code, 65, r.err);
  assert.equal(r.err, "dispatch: Plan too large: /dev/zero is over 65536 bytes; keep the checklist short\n");
  assert.deepEqual(tasksOnDisk(ctx), []);
});

Deno.test("input bounds: a folder as --plan is one line, exit 65", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "true");
  const r = await start(ctx, ["--title", "Dir", "--plan", ctx.project]);
  assert.equal(r.code, 65, r.err);
  assert.equal(r.err, `dispatch: Plan file is a directory: ${ctx.project}\n`);
});

Deno.test("input bounds: NUL in a title or a plan is refused", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "true");
  await Deno.writeTextFile(`${ctx.project}/ok.md`, "- [ ] one\n");
  await Deno.writeTextFile(`${ctx.project}/nul.md`, "- [ ] one\u0000\n");
  const title = await start(ctx, ["--title", "bad\u0000title", "--plan", `${ctx.project}/ok.md`]);
  assert.equal(title.code, 65, title.err);
  assert.match(title.err, /^dispatch: Invalid title: /);
  const plan = await start(ctx, ["--title", "Nul plan", "--plan", `${ctx.project}/nul.md`]);
  assert.equal(plan.code, 65, plan.err);
  assert.equal(plan.err, "dispatch: Plan contains a NUL byte: give plain text\n");
  assert.deepEqual(tasksOnDisk(ctx), []);
});
