/**
 * Waiting for a file to appear, driven by file-system events (inotify), with
 * a slow poll as a safety net for dropped or coalesced events ("rescan") and
 * for file systems without events.
 * @module
 */
import { exists } from "../store/fsx.ts";

/** Options for {@linkcode waitForFile}. */
export interface WaitOptions {
  /** Give up after this many milliseconds (undefined: never). */
  timeoutMs?: number;
  /** The safety-net poll interval. */
  pollMs?: number;
  signal?: AbortSignal;
}

/**
 * Resolves true once `dir/name` exists, false on timeout or abort. The folder
 * must exist. It watches the folder, not the file: a watch on a file path
 * goes deaf after the first atomic replace.
 */
export async function waitForFile(dir: string, name: string, opts: WaitOptions = {}): Promise<boolean> {
  const path = `${dir}/${name}`;
  let watcher: Deno.FsWatcher | undefined;
  try {
    watcher = Deno.watchFs(dir, { recursive: false });
  } catch {
    watcher = undefined; // no inotify here: the poll below carries the wait
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  const done = { value: false };
  const onAbort = () => wake?.();
  opts.signal?.addEventListener("abort", onAbort);
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  const pump = (async () => {
    if (!watcher) return;
    for await (const _event of watcher) {
      wake?.();
      if (done.value) break;
    }
  })();
  try {
    while (true) {
      if (await exists(path)) return true;
      if (opts.signal?.aborted) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, Math.min(left, opts.pollMs ?? (watcher ? 1000 : 100)));
      });
      clearTimeout(timer);
      wake = undefined;
    }
  } finally {
    done.value = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
    watcher?.close();
    await pump;
  }
}
