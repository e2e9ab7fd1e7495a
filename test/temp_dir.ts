/**
 * Throwaway folders for tests, removed when the test's scope ends:
 * `await using dir = await tempDir();` instead of try/finally.
 * @module
 */

/** A temporary folder that removes itself (recursively) on dispose. */
export interface TempDir extends AsyncDisposable {
  /** Absolute path of the folder. */
  path: string;
  /** Removes the folder; a folder already gone is fine. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Creates a temporary folder that `await using` removes at the end of the scope. */
export async function tempDir(prefix = "dispatch-test-"): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}
