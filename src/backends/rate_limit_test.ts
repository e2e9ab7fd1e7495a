import assert from "node:assert/strict";
import { isRateLimitStatus, looksRateLimited } from "./rate_limit.ts";

Deno.test("looksRateLimited: provider and CLI wordings", () => {
  for (
    const text of [
      "API Error: 429 Too Many Requests",
      "Rate limit reached for requests",
      "rate_limit_error",
      "RESOURCE_EXHAUSTED: quota exceeded",
      "You exceeded your current quota, please check your plan",
      "You've hit your usage limit. Try again later.",
      "Overloaded",
      "status 529",
    ]
  ) assert.equal(looksRateLimited([text]), true, text);
});

Deno.test("looksRateLimited: other errors are not rate limits", () => {
  for (
    const text of [
      "API Error: 401 Unauthorized",
      "Invalid API key",
      "connection refused on port 14290",
      "exit code 1",
    ]
  ) assert.equal(looksRateLimited([text]), false, text);
  assert.equal(looksRateLimited([undefined]), false);
  assert.equal(looksRateLimited([]), false);
});

Deno.test("isRateLimitStatus: 429 and 529 only", () => {
  assert.equal(isRateLimitStatus(429), true);
  assert.equal(isRateLimitStatus("529"), true);
  assert.equal(isRateLimitStatus(500), false);
  assert.equal(isRateLimitStatus(null), false);
});
