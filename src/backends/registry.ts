/**
 * The one list of worker CLIs, and from a configured backend to the adapter
 * that runs it. Each CLI is a folder (`src/backends/<cli>/`) whose profile
 * is listed here once; the CLI names, the built-in backends, discovery, the
 * doctor and the tier table all derive from this list, in its order (the
 * order models appear in a first config.yaml, and the preference for its
 * default; the README's tier table follows it too). Profiles, adapters and
 * auth checks load on demand: `dispatch start` needs one CLI's profile and
 * adapter, and importing all of them cost it several ms.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { adapterType } from "../config/backend_type.ts";
import type { BackendConfig, Config } from "../config/schema.ts";
import type { CliProfile } from "./profile.ts";
import type { BackendAdapter } from "./types.ts";
/** One line per CLI: adding a CLI is its folder plus its line here. Profiles load on demand. */
const PROFILES = {
  claude: async () => (await import("./claude/profile.ts")).claudeProfile,
  codex: async () => (await import("./codex/profile.ts")).codexProfile,
  gemini: async () => (await import("./gemini/profile.ts")).geminiProfile,
  cursor: async () => (await import("./cursor/profile.ts")).cursorProfile,
  opencode: async () => (await import("./opencode/profile.ts")).opencodeProfile,
  qwen: async () => (await import("./qwen/profile.ts")).qwenProfile,
} as const satisfies Record<string, () => Promise<CliProfile>>;

export { adapterType };

/** The worker CLIs with an adapter. */
export type CliName = keyof typeof PROFILES;

/** Every CLI with an adapter, in the registry's order. */
export const CLI_NAMES: readonly CliName[] = Object.keys(PROFILES) as CliName[];

/** True when `type` is a worker CLI with an adapter. */
export function isCliName(type: string): type is CliName {
  return Object.hasOwn(PROFILES, type);
}

/** Loads the profile of a worker CLI (src/backends/profiles.ts has them all, loaded). */
export function loadProfile(name: CliName): Promise<CliProfile> {
  return PROFILES[name]();
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
  const load = OTHER_ADAPTERS[type] ??
    (isCliName(type) ? async () => (await loadProfile(type)).adapter() : undefined);
  if (!load) {
    return Promise.reject(
      new ConfigError(
        `Unknown backend type: '${type}' for backend '${name}' (known: ${ADAPTER_TYPES.join(", ")})`,
      ),
    );
  }
  return load();
}
