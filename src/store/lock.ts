/**
 * Advisory file locks (flock semantics; released when the process dies), so
 * concurrent helpers serialise read-modify-write of shared files.
 * @module
 */

/** Runs `fn` while holding an exclusive lock on `lockPath` (created if missing). */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  using file = await Deno.open(lockPath, { create: true, write: true, mode: 0o600 });
  await file.lock(true);
  try {
    return await fn();
  } finally {
    await file.unlock();
  }
}
