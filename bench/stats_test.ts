import assert from "node:assert/strict";
import { quantile, summarize } from "./stats.ts";

Deno.test("quantile() uses nearest rank", () => {
  const xs = [5, 1, 4, 2, 3];
  assert.equal(quantile(xs, 0.5), 3);
  assert.equal(quantile(xs, 0.95), 5);
  assert.equal(quantile(xs, 0), 1);
  assert.deepEqual(summarize([2, 4]), { n: 2, p50: 2, p95: 4, min: 2, max: 4 });
});
