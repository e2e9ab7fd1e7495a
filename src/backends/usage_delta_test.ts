import assert from "node:assert/strict";
import { roundCost, usageSince } from "./usage_delta.ts";

Deno.test("usageSince: subtracts the earlier running total", () => {
  assert.deepEqual(
    usageSince({ inputTokens: 44, outputTokens: 28 }, { inputTokens: 22, outputTokens: 14 }),
    { inputTokens: 22, outputTokens: 14 },
  );
  assert.deepEqual(usageSince({ costUsd: 0.000368 }, { costUsd: 0.000184 }), { costUsd: 0.000184 });
});

Deno.test("usageSince: no earlier total, or a total that went down, keeps the current figure", () => {
  assert.deepEqual(usageSince({ inputTokens: 5 }, undefined), { inputTokens: 5 });
  assert.deepEqual(
    usageSince({ inputTokens: 5, outputTokens: 9 }, { inputTokens: 50, outputTokens: 3 }),
    { inputTokens: 5, outputTokens: 6 },
  );
});

Deno.test("usageSince: fields the CLI did not report stay absent", () => {
  assert.deepEqual(usageSince({ inputTokens: 3 }, { inputTokens: 1, costUsd: 1 }), { inputTokens: 2 });
});

Deno.test("roundCost: removes float noise", () => {
  assert.equal(roundCost(0.000368 - 0.000184), 0.000184);
});
