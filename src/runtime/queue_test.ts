import assert from "node:assert/strict";
import { admits } from "./queue.ts";
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
