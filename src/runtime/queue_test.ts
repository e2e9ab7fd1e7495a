import assert from "node:assert/strict";
import { seedTask, testCtx, until } from "../../test/fake_ctx.ts";
import { startTimeOf } from "../proc/procfs.ts";
import { readState, updateState } from "../store/tasks.ts";
import { emit } from "./events.ts";
import { admits, waitForSlot } from "./queue.ts";
import type { Config } from "../config/schema.ts";
import type { TaskSpec, TaskStateName } from "../store/tasks.ts";

function spec(id: string, backend: string, created: number): TaskSpec {
  return {
    id,
    title: id,
    project: "/p",
    cwd: "/p",
    backend,
    model: "m",
    modelId: "m",
    tier: "edit",
    created,
  };
}

const config = (global?: number, perBackend?: number): Config => ({
  default: undefined,
  backends: {
    a: { type: "claude", ...(perBackend ? { max_concurrent: perBackend } : {}) },
    b: { type: "codex" },
  },
  models: {},
  aliases: {},
  ...(global ? { limits: { max_concurrent: global } } : {}),
});

const slot = (s: TaskSpec, state: TaskStateName) => ({ spec: s, state });

Deno.test("admits() lets tasks run up to the global cap, then queues", () => {
  const running = [slot(spec("r1", "a", 1), "running"), slot(spec("r2", "b", 2), "stalled")];
  assert.equal(admits(spec("me", "a", 10), running, config(3)), true);
  assert.equal(admits(spec("me", "a", 10), running, config(2)), false);
  const ended = [slot(spec("d", "a", 1), "done"), slot(spec("w", "a", 2), "waiting")];
  assert.equal(
    admits(spec("me", "a", 10), ended, config(1)),
    true,
    "done and exited-waiting tasks hold no slot",
  );
});

Deno.test("admits() applies the per-backend cap without blocking other backends", () => {
  const running = [slot(spec("r1", "a", 1), "running")];
  assert.equal(admits(spec("me", "a", 10), running, config(8, 1)), false);
  assert.equal(admits(spec("me", "b", 10), running, config(8, 1)), true);
});

Deno.test("admits() serves older queued tasks first", () => {
  const tasks = [slot(spec("r1", "a", 1), "running"), slot(spec("old", "b", 5), "queued")];
  assert.equal(
    admits(spec("me", "b", 10), tasks, config(2)),
    false,
    "the older queued task takes the last slot",
  );
  assert.equal(admits(spec("old", "b", 5), tasks, config(2)), true);
  assert.equal(admits(spec("me", "b", 10), tasks, config(3)), true);
});

Deno.test("waitForSlot queues a task over the cap and admits it when a slot frees", async () => {
  await using ctx = await testCtx();
  const busy = await seedTask(ctx, "busy-0001", {
    state: { state: "running", pid: Deno.pid, supervisor: Deno.pid, supervisorStart: startTimeOf(Deno.pid) },
  });
  const me = await seedTask(ctx, "next-0002");
  const admitted = waitForSlot(ctx, me, config(1), { pollMs: 60_000 });
  await until(() => readState(ctx.home, me.id).state === "queued");
  await updateState(ctx.home, busy.id, (s) => ({ ...s, state: "done" }));
  await emit(ctx, busy, { type: "done" }); // the journal line wakes the queue
  assert.equal(await admitted, true);
  assert.equal(readState(ctx.home, me.id).state, "starting");
});

Deno.test("waitForSlot gives up when the task is cancelled while queued", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "busy-0003", {
    state: { state: "running", pid: Deno.pid, supervisor: Deno.pid, supervisorStart: startTimeOf(Deno.pid) },
  });
  const me = await seedTask(ctx, "next-0004");
  const admitted = waitForSlot(ctx, me, config(1), { pollMs: 1000 });
  await until(() => readState(ctx.home, me.id).state === "queued");
  await updateState(ctx.home, me.id, (s) => ({ ...s, state: "cancelled" }));
  assert.equal(await ctx.clock.runUntil(admitted), false);
});
