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
import { lstatOrUndefined } from "./safe_path.ts";

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

/**
 * Runs `fn` once no exclusive holder has `lockPath`, holding it shared
 * meanwhile. The file is opened read-only and never created, so a caller
 * that may not write its folder (a sandboxed worker) can still wait out a
 * writer; a missing lock, or anything but a plain file there, is not waited on.
 */
export async function withSharedLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const info = await lstatOrUndefined(lockPath);
  if (!info?.isFile) return await fn();
  using file = await Deno.open(lockPath, { read: true });
  await file.lock(false);
  try {
    return await fn();
  } finally {
    await file.unlock();
  }
}
