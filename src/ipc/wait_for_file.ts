/**
 * Waiting for a file to appear, woken by the folder's file-system events
 * (see {@linkcode HomeCtx.watchDir}), with a slow poll as a safety net.
 * @module
 */
import type { HomeCtx } from "../context.ts";
import { exists } from "../store/fsx.ts";

/** Options for {@linkcode waitForFile}. */
export interface WaitOptions {
  /** Give up after this many milliseconds (undefined: never). */
  timeoutMs?: number;
  /** The safety-net poll interval. */
  pollMs?: number;
  signal?: AbortSignal;
}

/** Resolves true once `dir/name` exists, false on timeout or abort. The folder must exist. */
export async function waitForFile(
  ctx: HomeCtx,
  dir: string,
  name: string,
  opts: WaitOptions = {},
): Promise<boolean> {
  const path = `${dir}/${name}`;
  await using wake = ctx.watchDir(dir, { pollMs: opts.pollMs ?? 1000, blindPollMs: opts.pollMs ?? 100 });
  const deadline = opts.timeoutMs === undefined ? Infinity : ctx.monotonic() + opts.timeoutMs;
  while (true) {
    if (await exists(path)) return true;
    if (opts.signal?.aborted) return false;
    const left = deadline - ctx.monotonic();
    if (left <= 0) return false;
    await wake.wait(left, opts.signal);
  }
}
