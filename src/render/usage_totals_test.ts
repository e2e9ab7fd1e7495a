import assert from "node:assert/strict";
import { renderUsageTotals, sumUsage, usageTotalsJson } from "./usage_totals.ts";

Deno.test("sumUsage: tokens and cost summed, counting who reported what", () => {
  const t = sumUsage([
    { inputTokens: 1200, outputTokens: 300, costUsd: 0.0123 },
    { inputTokens: 10_000, outputTokens: 2000 }, // codex: no cost
    undefined, // not started yet
    { costUsd: 0.1 },
    { inputTokens: Number.NaN, outputTokens: -5 }, // garbage is ignored
  ]);
  assert.deepEqual(t, {
    inputTokens: 11_200,
    outputTokens: 2300,
    costUsd: 0.1123,
    tasks: 5,
    withTokens: 2,
    withCost: 2,
  });
});

Deno.test("renderUsageTotals: one footer line that does not pass a partial cost off as the whole", () => {
  assert.equal(
    renderUsageTotals(sumUsage([{ inputTokens: 1200, outputTokens: 300, costUsd: 0.0123 }, {
      inputTokens: 10_000,
      outputTokens: 2000,
    }])),
    "Total: 11,200 in / 2,300 out tokens (2 tasks); $0.0123 (1 of 2 tasks report cost)",
  );
  assert.equal(
    renderUsageTotals(sumUsage([{ inputTokens: 5, outputTokens: 1, costUsd: 0.5 }])),
    "Total: 5 in / 1 out tokens (1 task); $0.5000",
  );
  assert.equal(renderUsageTotals(sumUsage([undefined, {}])), "");
  assert.equal(renderUsageTotals(sumUsage([])), "");
});

Deno.test("usageTotalsJson: nulls when nothing was reported", () => {
  assert.deepEqual(usageTotalsJson(sumUsage([undefined])), {
    input_tokens: null,
    output_tokens: null,
    cost_usd: null,
    tasks: 1,
    tasks_with_tokens: 0,
    tasks_with_cost: 0,
  });
  assert.equal(usageTotalsJson(sumUsage([{ inputTokens: 3 }])).input_tokens, 3);
});
