/**
 * Retrying a worker that failed on a provider rate limit, with exponential
 * backoff and jitter, instead of reporting the task failed: fan-outs trip
 * "server is temporarily limiting requests" and succeed when spread out.
 * @module
 */

/** How many times a rate-limited worker is started again before the task fails. */
export const MAX_RATE_LIMIT_RETRIES = 5;

/**
 * The wait before retry number `attempt` (1-based): base × 2^(attempt-1),
 * capped, with ±20% jitter so a fan-out does not retry in lockstep.
 */
export function backoffMs(attempt: number, baseMs = 30_000, capMs = 600_000, random = Math.random): number {
  const raw = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** Whether to retry after a run that ended this way. */
export function shouldRetry(rateLimited: boolean | undefined, attempt: number, cancelled: boolean): boolean {
  return rateLimited === true && !cancelled && attempt <= MAX_RATE_LIMIT_RETRIES;
}
