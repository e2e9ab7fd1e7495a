/**
 * opencode (1.18.33) as a real worker, offline against the mock Chat Completions API.
 * @module
 */
import assert from "node:assert/strict";
import {
  askExitResume,
  assertResumedInReadTier,
  cancelKillsTree,
  happyPath,
  installed,
} from "./worker_e2e.ts";

const ignore = !installed("opencode");

Deno.test({ name: "opencode worker: plan, tick, ask, answer, tick, summary, done", ignore }, async () => {
  const done = await happyPath("opencode");
  assert.match(String(done.native_session), /^ses_[0-9A-Za-z]+$/);
  // Six steps at 11 in / 7 out; the mock model is priced at 1000/2000 USD per million tokens.
  assert.deepEqual(done.usage, { input_tokens: 66, output_tokens: 42, cost_usd: 0.15 });
});

Deno.test(
  { name: "opencode worker: exits with a question open, the answer resumes its session (read tier)", ignore },
  async () => {
    const { id, first, done, resumed } = await askExitResume("opencode", { tier: "read" });
    // The read tier lets it read, tick, ask and write its summary, and nothing else.
    assertResumedInReadTier({ id, first, done, resumed });
    // Per-step figures, summed over both runs.
    assert.deepEqual(done.usage, { input_tokens: 88, output_tokens: 56, cost_usd: 0.2 });
  },
);

Deno.test({ name: "opencode worker: cancel leaves no process of its tree alive", ignore }, async () => {
  await cancelKillsTree("opencode", "sleep 300", "sleep");
});
