/**
 * From a configured backend to the adapter that runs it.
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { BackendConfig, Config } from "../config/schema.ts";
import type { BackendAdapter } from "./types.ts";
import { commandBackend } from "./command.ts";
import { scriptedBackend } from "./scripted.ts";
import { claudeBackend } from "./claude.ts";
import { codexBackend } from "./codex.ts";
import { cursorBackend } from "./cursor.ts";
import { geminiBackend } from "./gemini.ts";
import { opencodeBackend } from "./opencode.ts";
import { qwenBackend } from "./qwen.ts";

const ADAPTERS: Record<string, BackendAdapter> = {
  command: commandBackend,
  scripted: scriptedBackend,
  claude: claudeBackend,
  codex: codexBackend,
  cursor: cursorBackend,
  gemini: geminiBackend,
  opencode: opencodeBackend,
  qwen: qwenBackend,
};

/** Registers an adapter (the named CLI adapters add themselves here). */
export function registerAdapter(adapter: BackendAdapter): void {
  ADAPTERS[adapter.name] = adapter;
}

/** The backend's config entry (empty for a built-in used without one). */
export function backendConfig(config: Config, name: string): BackendConfig {
  return config.backends[name] ?? {};
}

/** Which adapter runs backend `name`. */
export function adapterFor(config: Config, name: string): BackendAdapter {
  const entry = backendConfig(config, name);
  const type = entry.type ?? (entry.command ? "command" : name);
  const adapter = ADAPTERS[type];
  if (!adapter) {
    throw new ConfigError(
      `Unknown backend type: '${type}' for backend '${name}' (known: ${Object.keys(ADAPTERS).join(", ")})`,
    );
  }
  return adapter;
}
