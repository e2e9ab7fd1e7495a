/**
 * Which adapter a `backends:` entry names: the one rule, kept apart from the
 * schema so the hot path can use it without loading zod.
 * @module
 */
import type { BackendConfig } from "./schema.ts";

/** The adapter type of backend `name`: its `type`, else `command` when it has one, else its own name. */
export function adapterType(name: string, backend: BackendConfig): string {
  return backend.type ?? (backend.command ? "command" : name);
}
