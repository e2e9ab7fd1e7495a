/**
 * codex (0.169.0) as a real worker, offline against the mock Responses API.
 * @module
 */
import assert from "node:assert/strict";
import { parseLog } from "../../src/backends/jsonl.ts";
import { askExitResume, assertResumed, cancelKillsTree, happyPath, installed } from "./worker_e2e.ts";

const ignore = !installed("codex");

Deno.test({ name: "codex worker: plan, tick, ask, answer, tick, summary, done", ignore }, async () => {
  const done = await happyPath("codex");
  assert.match(String(done.native_session), /^[0-9a-f-]{36}$/);
  // Six model calls at the mock's 11 in / 7 out each; codex reports no cost.
  assert.deepEqual(done.usage, { input_tokens: 66, output_tokens: 42, cost_usd: null });
});

Deno.test(
  { name: "codex worker: exits with a question open, the answer resumes its thread", ignore },
  async () => {
    const { id, first, done, resumed, log } = await askExitResume("codex");
    assertResumed({ id, first, done, resumed }, "thread");
    assert.ok(resumed.assistantTexts.includes("Waiting for the answer."), "the earlier reply");
    // turn.completed.usage is the thread's running total: the task's usage is its last value.
    const totals = parseLog(log).events.filter((e) => e.type === "turn.completed").map((e) => e.usage);
    assert.equal(totals.length, 2);
    const last = totals[1] as Record<string, number>;
    assert.deepEqual(done.usage, {
      input_tokens: last.input_tokens,
      output_tokens: last.output_tokens,
      cost_usd: null,
    });
  },
);

Deno.test({ name: "codex worker: cancel leaves no process of its tree alive", ignore }, async () => {
  await cancelKillsTree("codex", "sleep 300", "sleep");
});

Deno.test(
  { name: "codex worker: read tier asks and ticks, but cannot write the project", ignore },
  async () => {
    // DISPATCH_HOME is under /tmp, which codex's read-only profile does not make writable:
    // the plan ticks and `dispatch ask` work only because the tier grants the task's folder.
    const done = await happyPath("codex", {
      tier: "read",
      more: [{ shell: "touch read-tier-probe.txt" }],
      after: async (w) => {
        const probe = await Deno.stat(`${w.sb.project}/read-tier-probe.txt`).then(() => true, () => false);
        assert.equal(probe, false, "the project stayed read-only");
      },
    });
    assert.equal(done.tier, "read");
  },
);
