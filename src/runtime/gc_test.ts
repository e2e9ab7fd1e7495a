import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { listTaskIds } from "../store/tasks.ts";
import { appendEvent, readEvents } from "../store/journal.ts";
import type { CompactResult } from "../store/journal_compact.ts";
import { collectGarbage, type GcOutcome } from "./gc.ts";

const DAY = 86_400_000;

Deno.test("collectGarbage removes tasks that ended long enough ago, and only those", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "old-0001", { state: { state: "done", ended: ctx.now() - 8 * DAY } });
  await seedTask(ctx, "new-0002", { state: { state: "failed", ended: ctx.now() - DAY } });
  await seedTask(ctx, "run-0003", { state: { state: "running", pid: Deno.pid, supervisor: Deno.pid } });
  const dry: GcOutcome[] = [];
  assert.equal(await collectGarbage(ctx, { olderThanMs: 7 * DAY, dryRun: true }, (o) => dry.push(o)), 1);
  assert.deepEqual(dry, [{ id: "old-0001", removed: true }]);
  assert.equal((await listTaskIds(ctx.home)).length, 3, "a dry run removes nothing");
  const done: GcOutcome[] = [];
  assert.equal(await collectGarbage(ctx, { olderThanMs: 7 * DAY }, (o) => done.push(o)), 1);
  assert.deepEqual(await listTaskIds(ctx.home), ["new-0002", "run-0003"]);
  assert.equal(await collectGarbage(ctx, { olderThanMs: 0 }, () => {}), 1, "0: every ended task");
});

Deno.test("collectGarbage compacts the journal: a removed task's told events go, a kept task's stay", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "old-0001", { state: { state: "done", ended: ctx.now() - 8 * DAY } });
  await seedTask(ctx, "new-0002", { state: { state: "done", ended: ctx.now() - DAY } });
  await appendEvent(ctx.home, { ts: 1, type: "done", task: "old-0001" });
  await appendEvent(ctx.home, { ts: 2, type: "done", task: "new-0002" });
  const dry: CompactResult[] = [];
  await collectGarbage(ctx, { olderThanMs: 7 * DAY, dryRun: true, compacted: (r) => dry.push(r) }, () => {});
  assert.deepEqual(dry, [], "a dry run compacts nothing");
  const results: CompactResult[] = [];
  await collectGarbage(ctx, { olderThanMs: 7 * DAY, compacted: (r) => results.push(r) }, () => {});
  assert.equal(results.length, 1);
  assert.equal(results[0]!.dropped, 1);
  const { entries } = await readEvents(ctx.home, 0);
  assert.deepEqual(entries.map((e) => e.event.task), ["new-0002"]);
});
