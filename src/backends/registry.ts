/**
 * From a configured backend to the adapter that runs it. Adapters load on
 * demand: a command or a supervisor needs one, and importing all eight cost
 * every `dispatch start` ~7 ms.
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { BackendConfig, Config } from "../config/schema.ts";
import type { BackendAdapter } from "./types.ts";

const LOADERS: Record<string, () => Promise<BackendAdapter>> = {
  command: async () => (await import("./command.ts")).commandBackend,
  scripted: async () => (await import("./scripted.ts")).scriptedBackend,
  claude: async () => (await import("./claude.ts")).claudeBackend,
  codex: async () => (await import("./codex.ts")).codexBackend,
  cursor: async () => (await import("./cursor.ts")).cursorBackend,
  gemini: async () => (await import("./gemini.ts")).geminiBackend,
  opencode: async () => (await import("./opencode.ts")).opencodeBackend,
  qwen: async () => (await import("./qwen.ts")).qwenBackend,
};

/** Adapter types that need no `backends:` entry (every adapter but the shell-command one). */
export const BUILTIN_BACKENDS: readonly string[] = Object.keys(LOADERS).filter((t) => t !== "command");

/** The backend's config entry (empty for a built-in used without one). */
export function backendConfig(config: Config, name: string): BackendConfig {
  return config.backends[name] ?? {};
}

/** Which adapter runs backend `name`. */
export function adapterFor(config: Config, name: string): Promise<BackendAdapter> {
  const entry = backendConfig(config, name);
  const type = entry.type ?? (entry.command ? "command" : name);
  const load = LOADERS[type];
  if (!load) {
    return Promise.reject(
      new ConfigError(
        `Unknown backend type: '${type}' for backend '${name}' (known: ${Object.keys(LOADERS).join(", ")})`,
      ),
    );
  }
  return load();
}
