/**
 * gemini (0.61.0) as a real worker, offline against the mock Gemini API.
 * @module
 */
import assert from "node:assert/strict";
import {
  askExitResume,
  assertResumedInReadTier,
  cancelKillsTree,
  happyPath,
  installed,
  UUID,
} from "./worker_e2e.ts";

const ignore = !installed("gemini");

Deno.test({ name: "gemini worker: plan, tick, ask, answer, tick, summary, done", ignore }, async () => {
  const done = await happyPath("gemini");
  assert.match(String(done.native_session), UUID);
  // Six model calls at the mock's 11 in / 7 out; gemini reports no cost.
  assert.deepEqual(done.usage, { input_tokens: 66, output_tokens: 42, cost_usd: null });
});

Deno.test(
  { name: "gemini worker: exits with a question open, the answer resumes its session (read tier)", ignore },
  async () => {
    const { id, first, done, resumed } = await askExitResume("gemini", { tier: "read" });
    // The read tier lets it read, tick, ask and write its summary, and nothing else.
    assertResumedInReadTier({ id, first, done, resumed });
    // Per-run figures, summed: 4 calls in the first run, 4 after the resume.
    assert.deepEqual(done.usage, { input_tokens: 88, output_tokens: 56, cost_usd: null });
  },
);

Deno.test({ name: "gemini worker: cancel leaves no process of its tree alive", ignore }, async () => {
  await cancelKillsTree("gemini", "sleep 300", "sleep");
});
