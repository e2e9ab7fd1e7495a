import assert from "node:assert/strict";
import { testCtx, useShellWorker } from "../../test/fake_ctx.ts";
import { loadConfig } from "../backends/config_file.ts";
import { readEvents } from "../store/journal.ts";
import { taskPaths } from "../store/paths.ts";
import { readSession } from "../store/sessions.ts";
import { listTaskIds, readSpec, readState } from "../store/tasks.ts";
import { slugify, startTask } from "./start.ts";

const PLAN = "# Plan\n- [ ] one\n- [ ] two\n";

Deno.test("startTask writes the task's files, journals it and registers its host session", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "true");
  const spec = await startTask(ctx, await loadConfig(ctx.home), {
    title: "Fix the flaky test",
    plan: PLAN,
    cwd: ctx.cwd,
    session: "host-1",
  });
  assert.match(spec.id, /^fix-the-flaky-test-[0-9a-f]{4}$/);
  assert.equal(spec.created, ctx.now(), "stamped by the ctx clock");
  assert.deepEqual(readSpec(ctx.home, spec.id), spec);
  assert.equal(readState(ctx.home, spec.id).state, "starting");
  const paths = taskPaths(ctx.home, spec.id);
  assert.equal(await Deno.readTextFile(paths.plan), PLAN);
  assert.match(await Deno.readTextFile(paths.prompt), new RegExp(paths.plan));
  const events = (await readEvents(ctx.home, 0)).entries.map((e) => e.event);
  assert.deepEqual(events.map((e) => [e.type, e.task, e.session]), [["started", spec.id, "host-1"]]);
  assert.deepEqual((await readSession(ctx.home, "host-1")).active, [spec.id]);
});

Deno.test("startTask reads a plan file relative to cwd, and names a missing one", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "true");
  const config = await loadConfig(ctx.home);
  await Deno.writeTextFile(`${ctx.cwd}/plan.md`, PLAN);
  const spec = await startTask(ctx, config, {
    title: "From a file",
    plan: { file: "plan.md" },
    cwd: ctx.cwd,
  });
  assert.equal(await Deno.readTextFile(taskPaths(ctx.home, spec.id).plan), PLAN);
  await assert.rejects(
    startTask(ctx, config, { title: "Missing", plan: { file: "nope.md" }, cwd: ctx.cwd }),
    /Plan file not found: nope\.md/,
  );
});

Deno.test("startTask refuses a bad title or working directory and creates nothing", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "true");
  const config = await loadConfig(ctx.home);
  await assert.rejects(startTask(ctx, config, { title: " ", plan: PLAN, cwd: ctx.cwd }), /Invalid title/);
  await assert.rejects(
    startTask(ctx, config, { title: "x", plan: PLAN, cwd: `${ctx.cwd}/absent` }),
    /Working directory not found/,
  );
  assert.deepEqual(await listTaskIds(ctx.home), []);
});

Deno.test("slugify() keeps ids short, lowercase and ascii", () => {
  assert.equal(slugify("Crème brûlée: the recipe!"), "creme-brulee-the-recipe");
  assert.equal(slugify("***"), "task");
  assert.ok(slugify("a".repeat(100)).length <= 28);
});
