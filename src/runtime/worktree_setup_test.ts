import assert from "node:assert/strict";
import { testCtx } from "../../test/fake_ctx.ts";
import { waitForNoProcesses } from "../../test/helpers.ts";
import { taskPaths } from "../store/paths.ts";
import type { TaskSpec } from "../store/tasks.ts";
import { prepareWorktree } from "./worktree_setup.ts";

async function setupTask(command: string, timeoutMs: number) {
  const ctx = await testCtx();
  const id = `setup-${crypto.randomUUID().slice(0, 8)}`;
  const worktree = `${ctx.home}/worktrees/${id}`;
  await Deno.mkdir(worktree, { recursive: true });
  await Deno.mkdir(taskPaths(ctx.home, id).dir, { recursive: true });
  const spec: TaskSpec = {
    id,
    title: "t",
    project: ctx.project,
    cwd: worktree,
    backend: "b",
    model: "m",
    modelId: "m",
    tier: "edit",
    created: 0,
    worktree: {
      path: worktree,
      branch: `dispatch/${id}`,
      setup: { command, timeoutMs, from: "config.yaml" },
    },
  };
  return { ctx, spec, log: () => Deno.readTextFile(taskPaths(ctx.home, id).log) };
}

Deno.test("prepareWorktree: a setup command that outlives its limit is killed, tree and all, and named", async () => {
  const { ctx, spec, log } = await setupTask("echo started; sleep 30 & sleep 30", 300);
  await using _ = ctx;
  const t0 = Date.now();
  assert.equal(
    await prepareWorktree(ctx, spec),
    "Worktree setup failed: 'echo started; sleep 30 & sleep 30' timed out after 0s",
  );
  assert.ok(Date.now() - t0 < 20_000);
  await waitForNoProcesses(spec.id, "the setup's background sleep to be killed too");
  assert.match(
    await log(),
    /worktree setup \(from config.yaml\): echo started; sleep 30 & sleep 30\nstarted\n/,
  );
});

Deno.test("prepareWorktree: a passing setup command runs in the worktree and lets the worker start", async () => {
  const { ctx, spec } = await setupTask("pwd > where.txt", 60_000);
  await using _ = ctx;
  assert.equal(await prepareWorktree(ctx, spec), undefined);
  assert.equal((await Deno.readTextFile(`${spec.worktree!.path}/where.txt`)).trim(), spec.worktree!.path);
});
