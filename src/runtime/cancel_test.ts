import assert from "node:assert/strict";
import { seedTask, testCtx, until } from "../../test/fake_ctx.ts";
import { isAlive } from "../proc/procfs.ts";
import { readEvents } from "../store/journal.ts";
import { readState } from "../store/tasks.ts";
import { cancelTask } from "./cancel.ts";

Deno.test("cancelTask stops the worker's tree, then records cancelled", async () => {
  await using ctx = await testCtx();
  const worker = new Deno.Command("sleep", { args: ["30"], detached: true, stdout: "null", stderr: "null" })
    .spawn();
  await seedTask(ctx, "stop-0001", { state: { state: "running", pid: worker.pid } });
  assert.equal(await cancelTask(ctx, "stop-0001", "changed my mind"), true);
  await worker.status;
  await until(() => !isAlive(worker.pid));
  const state = readState(ctx.home, "stop-0001");
  assert.deepEqual([state.state, state.reason, state.ended], ["cancelled", "changed my mind", ctx.now()]);
  const events = (await readEvents(ctx.home, 0)).entries.map((e) => e.event);
  assert.deepEqual(events.map((e) => [e.type, e.text, e.ts]), [["cancelled", "changed my mind", ctx.now()]]);
});

Deno.test("cancelTask on an ended task changes nothing", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "over-0002", { state: { state: "done", ended: 1 } });
  assert.equal(await cancelTask(ctx, "over-0002", "too late"), false);
  assert.equal(readState(ctx.home, "over-0002").state, "done");
  assert.deepEqual((await readEvents(ctx.home, 0)).entries, []);
});
