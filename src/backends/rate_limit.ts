/**
 * Telling a rate limit from other failures, so the runtime can retry later
 * instead of reporting the task failed. Only error messages are examined
 * (error events, stderr lines), never the model's own text: a task about
 * rate limiting must not look rate limited.
 * @module
 */

/** HTTP 429/529 and the wording providers and CLIs use for rate limits, quotas and overload. */
const RATE_LIMIT =
  /\b(429|529)\b|rate[ _-]?limit|too many requests|resource[ _-]?exhausted|quota (exceeded|exhausted)|exceeded your (current )?quota|usage limit|overloaded/i;

/** True when any of the error texts reads like a rate limit. */
export function looksRateLimited(errors: Iterable<string | undefined>): boolean {
  for (const text of errors) if (text !== undefined && RATE_LIMIT.test(text)) return true;
  return false;
}

/** True for an HTTP status that means "slow down": 429 (rate limit) or 529 (overloaded). */
export function isRateLimitStatus(status: unknown): boolean {
  return status === 429 || status === 529 || status === "429" || status === "529";
}
