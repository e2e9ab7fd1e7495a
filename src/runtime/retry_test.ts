import assert from "node:assert/strict";
import { backoffMs, MAX_RATE_LIMIT_RETRIES, shouldRetry } from "./retry.ts";

Deno.test("backoffMs() doubles from the base up to the cap, within ±20% jitter", () => {
  const mid = () => 0.5;
  assert.equal(backoffMs(1, 1000, 60_000, mid), 1000);
  assert.equal(backoffMs(3, 1000, 60_000, mid), 4000);
  assert.equal(backoffMs(20, 1000, 60_000, mid), 60_000);
  assert.equal(backoffMs(1, 1000, 60_000, () => 0), 800);
  assert.equal(backoffMs(1, 1000, 60_000, () => 1), 1200);
});

Deno.test("shouldRetry() only for rate limits, not after cancel, and a bounded number of times", () => {
  assert.equal(shouldRetry(true, 1, false), true);
  assert.equal(shouldRetry(false, 1, false), false);
  assert.equal(shouldRetry(undefined, 1, false), false);
  assert.equal(shouldRetry(true, 1, true), false);
  assert.equal(shouldRetry(true, MAX_RATE_LIMIT_RETRIES + 1, false), false);
});
