/**
 * For tests: makes a test helper's `cleanup()` run when an `await using`
 * scope ends, instead of a try/finally around the whole test.
 * @module
 */

/** `resource`, disposed by its own `cleanup()` when an `await using` scope ends. */
export function scoped<T extends { cleanup(): Promise<void> }>(resource: T): T & AsyncDisposable {
  return Object.assign(resource, { [Symbol.asyncDispose]: () => resource.cleanup() });
}
