/**
 * Advisory file locks (flock semantics; released when the process dies), so
 * concurrent helpers serialise read-modify-write of shared files.
 *
 * Waiters inside one process queue on an in-memory chain first: many
 * blocked `flock` calls in one process each pin a runtime thread, which can
 * starve the holder of the thread it needs to finish and unlock.
 * @module
 */

import { openAppend } from "./fsx.ts";

const chains = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` while holding an exclusive lock on `lockPath` (created 0600 if
 * missing). A link planted at the lock's name is discarded, never opened.
 */
export function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const previous = chains.get(lockPath) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(() => withFileLock(lockPath, fn));
  const tail = run.catch(() => {});
  chains.set(lockPath, tail);
  tail.then(() => {
    if (chains.get(lockPath) === tail) chains.delete(lockPath);
  });
  return run;
}

async function withFileLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  using file = await openAppend(lockPath, "discard");
  await file.lock(true);
  try {
    return await fn();
  } finally {
    await file.unlock();
  }
}
