/**
 * The one list of worker CLIs, and from a configured backend to the adapter
 * that runs it. Each CLI is a folder (`src/backends/<cli>/`) whose profile
 * is listed here once; the CLI names, the built-in backends, discovery, the
 * doctor and the tier table all derive from this list, in its order (the
 * order models appear in a first config.yaml, and the preference for its
 * default; the README's tier table follows it too). The profiles are small
 * data and load with this module; adapters and auth checks load on demand:
 * a command or a supervisor needs one adapter, and importing all eight cost
 * every `dispatch start` ~7 ms.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { adapterType } from "../config/backend_type.ts";
import type { BackendConfig, Config } from "../config/schema.ts";
import type { CliProfile } from "./profile.ts";
import type { BackendAdapter } from "./types.ts";
import { claudeProfile } from "./claude/profile.ts";
import { codexProfile } from "./codex/profile.ts";
import { cursorProfile } from "./cursor/profile.ts";
import { geminiProfile } from "./gemini/profile.ts";
import { opencodeProfile } from "./opencode/profile.ts";
import { qwenProfile } from "./qwen/profile.ts";

/** One line per CLI: adding a CLI is its folder plus its line here. */
const PROFILES = {
  claude: claudeProfile,
  codex: codexProfile,
  gemini: geminiProfile,
  cursor: cursorProfile,
  opencode: opencodeProfile,
  qwen: qwenProfile,
} as const satisfies Record<string, CliProfile>;

export { adapterType };

/** The worker CLIs with an adapter. */
export type CliName = keyof typeof PROFILES;

/** Every CLI with an adapter, in the registry's order. */
export const CLI_NAMES: readonly CliName[] = Object.keys(PROFILES) as CliName[];

/** Every CLI's profile, in the registry's order. */
export const CLI_PROFILES: readonly CliProfile[] = Object.values(PROFILES);

/** The profile of a CLI with an adapter. */
export function cliProfile(name: CliName): CliProfile {
  return PROFILES[name];
}

/** The profile of adapter type `type`, when it is a worker CLI's. */
export function profileOf(type: string): CliProfile | undefined {
  return CLI_PROFILES.find((p) => p.name === type);
}

/** The adapters that are not a worker CLI: a user's shell command, and the built-in scripted worker. */
const OTHER_ADAPTERS: Record<string, () => Promise<BackendAdapter>> = {
  command: async () => (await import("./command/adapter.ts")).commandBackend,
  scripted: async () => (await import("./scripted/adapter.ts")).scriptedBackend,
};

/** Every adapter type, the shell-command one first. */
const ADAPTER_TYPES: readonly string[] = [...Object.keys(OTHER_ADAPTERS), ...[...CLI_NAMES].sort()];

/** Adapter types that need no `backends:` entry (every adapter but the shell-command one). */
export const BUILTIN_BACKENDS: readonly string[] = ADAPTER_TYPES.filter((t) => t !== "command");

/** The backend's config entry (empty for a built-in used without one). */
export function backendConfig(config: Config, name: string): BackendConfig {
  return config.backends[name] ?? {};
}

/** Which adapter runs backend `name`. */
export function adapterFor(config: Config, name: string): Promise<BackendAdapter> {
  const type = adapterType(name, backendConfig(config, name));
  const load = OTHER_ADAPTERS[type] ?? profileOf(type)?.adapter;
  if (!load) {
    return Promise.reject(
      new ConfigError(
        `Unknown backend type: '${type}' for backend '${name}' (known: ${ADAPTER_TYPES.join(", ")})`,
      ),
    );
  }
  return load();
}
