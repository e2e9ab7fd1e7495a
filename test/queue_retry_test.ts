import assert from "node:assert/strict";
import { journal, sandbox, scenarioConfig, startTask, taskStatus, waitForState } from "./helpers.ts";

/** A sandbox that runs one task at a time. */
function oneSlotSandbox() {
  return sandbox(
    scenarioConfig(["ask", "hang", "tick_all"]).replace(
      "limits: { max_concurrent: 64 }",
      "limits: { max_concurrent: 1 }",
    ),
  );
}

Deno.test("queue: past the concurrency cap tasks wait queued and start as slots free, oldest first", async () => {
  await using sb = await oneSlotSandbox();
  const first = await startTask(sb, "hang");
  await waitForState(sb, first, ["running"]);
  const second = await startTask(sb, "tick_all");
  const third = await startTask(sb, "tick_all");
  await waitForState(sb, second, ["queued"]);
  await waitForState(sb, third, ["queued"]);
  const board = await sb.run(["status"]);
  assert.match(board.stdout, new RegExp(`${second}\\s+queued`));
  assert.equal((await sb.run(["cancel", first])).code, 0);
  const s2 = await waitForState(sb, second, ["done", "failed"]);
  assert.equal(s2.state, "done");
  const s3 = await waitForState(sb, third, ["done", "failed"]);
  assert.equal(s3.state, "done");
  const order = (await journal(sb.home)).filter((e) => e.type === "done").map((e) => e.task);
  assert.deepEqual(order, [second, third]);
});

Deno.test("queue: a task cancelled while queued never starts", async () => {
  await using sb = await oneSlotSandbox();
  const first = await startTask(sb, "hang");
  await waitForState(sb, first, ["running"]);
  const queued = await startTask(sb, "tick_all");
  await waitForState(sb, queued, ["queued"]);
  await sb.run(["cancel", queued]);
  await sb.run(["cancel", first]);
  // The freed slot goes to the oldest queued task: once a later one has run, a wrongly
  // started cancelled task would have run before it (a wait on events, not on the clock).
  const later = await startTask(sb, "tick_all");
  await waitForState(sb, later, ["done", "failed"]);
  const s = await taskStatus(sb, queued);
  assert.equal(s.state, "cancelled");
  assert.equal(s.pid, null, "no worker was started");
});

Deno.test("retry: a rate-limited worker is retried with backoff instead of failing", async () => {
  await using sb = await sandbox();
  sb.env.DISPATCH_BACKOFF_MS = "200";
  const id = await startTask(sb, "scripted-rl");
  const s = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(s.state, "done", String(s.reason));
  const state = JSON.parse(await Deno.readTextFile(`${sb.home}/tasks/${id}/state.json`));
  assert.equal(state.runs, 2);
  assert.ok(!(await journal(sb.home)).some((e) => e.task === id && e.type === "failed"));
  const log = await Deno.readTextFile(`${sb.home}/tasks/${id}/worker.log`);
  assert.match(log, /429 Too Many Requests/);
});
