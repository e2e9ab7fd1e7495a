/**
 * qwen (0.24.4) as a real worker, offline against the mock Chat Completions API.
 * @module
 */
import assert from "node:assert/strict";
import { parseLog } from "../../src/backends/jsonl.ts";
import {
  askExitResume,
  assertResumedInReadTier,
  cancelKillsTree,
  happyPath,
  installed,
  UUID,
} from "./worker_e2e.ts";

const ignore = !installed("qwen");

Deno.test({ name: "qwen worker: plan, tick, ask, answer, tick, summary, done", ignore }, async () => {
  const done = await happyPath("qwen");
  assert.match(String(done.native_session), UUID);
  assert.deepEqual(done.usage, { input_tokens: 66, output_tokens: 42, cost_usd: null });
});

Deno.test(
  { name: "qwen worker: exits with a question open, the answer resumes its session (read tier)", ignore },
  async () => {
    const { id, first, done, resumed, log } = await askExitResume("qwen", { tier: "read" });
    // The read tier lets it read, tick, ask and write its summary, and nothing else.
    assertResumedInReadTier({ id, first, done, resumed });
    // result.usage is the session's running total: the task's usage is its last value, not the sum.
    const totals = parseLog(log).events.filter((e) => e.type === "result").map((e) =>
      e.usage as Record<string, number>
    );
    assert.equal(totals.length, 2);
    assert.ok(totals[1]!.input_tokens! > totals[0]!.input_tokens!, "cumulative");
    assert.deepEqual(done.usage, {
      input_tokens: totals[1]!.input_tokens,
      output_tokens: totals[1]!.output_tokens,
      cost_usd: null,
    });
  },
);

Deno.test({ name: "qwen worker: cancel leaves no process of its tree alive", ignore }, async () => {
  // qwen blocks a plain `sleep` ("Blocked: standalone sleep"), so the long command is a tail.
  await cancelKillsTree("qwen", "tail -f /dev/null", "tail");
});
