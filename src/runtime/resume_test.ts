import assert from "node:assert/strict";
import { seedTask, testCtx, useShellWorker } from "../../test/fake_ctx.ts";
import type { BackendAdapter, LaunchInput } from "../backends/types.ts";
import { readEvents } from "../store/journal.ts";
import { taskPaths } from "../store/paths.ts";
import { readState } from "../store/tasks.ts";
import { resumeLaunch, resumeMessage, resumeTask } from "./resume.ts";

const input = { prompt: "p" } as LaunchInput;

Deno.test("resumeLaunch continues the CLI session when there is one and the CLI can resume", () => {
  const adapter = {
    launch: () => ({ argv: ["fresh"] }),
    resume: (_i: LaunchInput, session: string, message: string) => ({ argv: ["resume", session, message] }),
  } as unknown as BackendAdapter;
  assert.deepEqual(resumeLaunch(adapter, input, "s-1", "go on")?.argv, ["resume", "s-1", "go on"]);
  assert.equal(resumeLaunch(adapter, input, undefined, "go on"), undefined, "no session");
  assert.equal(
    resumeLaunch({ ...adapter, resume: undefined }, input, "s-1", "go on"),
    undefined,
    "no resume",
  );
});

Deno.test("resumeMessage tells the worker the answer, or to carry on with its plan", () => {
  assert.equal(
    resumeMessage("/p.md", "yes"),
    "The user answered your question: yes\nContinue with your plan in /p.md.",
  );
  assert.equal(resumeMessage("/p.md"), "Continue with your plan in /p.md: do the items not yet ticked.");
});

Deno.test("resumeTask refuses a CLI that cannot resume and a task with a live worker", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "true");
  await seedTask(ctx, "res-0001", { state: { state: "failed", nativeSession: "s-1" } });
  await assert.rejects(
    resumeTask(ctx, "res-0001", "go"),
    /Cannot resume: backend 'sh' has no resume support/,
  );
  await seedTask(ctx, "res-0002", { state: { state: "running", pid: Deno.pid } });
  await assert.rejects(resumeTask(ctx, "res-0002", "go"), /Still running: task res-0002 has a live worker/);
});

Deno.test("resumeTask leaves the message for the supervisor and restarts the task", async () => {
  await using ctx = await testCtx({
    config: "backends:\n  c: { type: claude }\nmodels:\n  c: { backend: c }\n",
  });
  await seedTask(ctx, "res-0003", {
    state: { state: "failed", nativeSession: "s-1", ended: 1, code: 1, reason: "x" },
    spec: { backend: "c", model: "c", modelId: "c" },
  });
  await resumeTask(ctx, "res-0003", "Carry on");
  assert.equal(await Deno.readTextFile(taskPaths(ctx.home, "res-0003").resume), "Carry on");
  const state = readState(ctx.home, "res-0003");
  assert.deepEqual([state.state, state.ended, state.reason, state.since], [
    "starting",
    undefined,
    undefined,
    ctx.now(),
  ]);
  assert.deepEqual((await readEvents(ctx.home, 0)).entries.map((e) => e.event.type), ["resumed"]);
});
