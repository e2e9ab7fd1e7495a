/**
 * Loading `config.yaml`: parse, validate, and cache the validated form as
 * JSON beside it, so the hot commands (`start`) skip importing the YAML and
 * zod libraries while the file is unchanged. Which adapter types exist is
 * the backends' business (src/backends/registry.ts): callers pass the
 * built-in ones in (src/backends/config_file.ts does).
 * @module
 */
import { ConfigError } from "../errors.ts";
import { homePaths } from "../store/paths.ts";
import { writeJsonAtomic } from "../store/fsx.ts";
import { adapterType } from "./backend_type.ts";
import {
  configReadError,
  lstatRegular,
  MAX_CONFIG_BYTES,
  parseYamlText,
  readConfigText,
  readRegular,
  refuseNul,
} from "./read.ts";
import type { Config } from "./schema.ts";

/**
 * Bumped whenever validation tightens, so a config cached by an earlier
 * version (which may hold what is now refused) is validated again.
 */
const CACHE_VERSION = 2;

interface CacheFile {
  version: typeof CACHE_VERSION;
  mtimeMs: number;
  size: number;
  ino: number | null;
  config: Config;
}

/** The cache key of the config file described by `info`. */
function keyOf(info: Deno.FileInfo): Omit<CacheFile, "config"> {
  return { version: CACHE_VERSION, mtimeMs: info.mtime?.getTime() ?? 0, size: info.size, ino: info.ino };
}

/**
 * Loads and validates `$home/config.yaml`, knowing the adapter types in
 * `builtins` (every adapter but the shell-command one); throws NotFoundError
 * when missing, ConfigError when it is not a regular file, too large or invalid.
 */
export async function loadConfigFile(home: string, builtins: readonly string[]): Promise<Config> {
  const paths = homePaths(home);
  const seen = await lstatRegular(paths.config, MAX_CONFIG_BYTES).catch((e) => {
    throw configReadError(paths.config, e);
  });
  const cached = await readCache(paths.configCache);
  if (cached && sameKey(cached, keyOf(seen))) return cached.config;
  const { text, info } = await readConfigText(paths.config);
  const config = parseConfigText(text, paths.config, await importParsers(), builtins);
  await writeJsonAtomic(paths.configCache, { ...keyOf(info), config } satisfies CacheFile)
    .catch(() => {}); // a read-only home still works, just slower
  return config;
}

function sameKey(a: Omit<CacheFile, "config">, b: Omit<CacheFile, "config">): boolean {
  return a.version === b.version && a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}

/** The cache, or undefined when it is missing, unreadable, not a regular file, oversized or of another version. */
async function readCache(path: string): Promise<CacheFile | undefined> {
  try {
    const { bytes } = await readRegular(path, 4 * MAX_CONFIG_BYTES);
    const cache = JSON.parse(new TextDecoder().decode(bytes)) as CacheFile;
    const ok = cache?.version === CACHE_VERSION && typeof cache.config === "object" && cache.config !== null;
    return ok ? cache : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Caches `config` as the validated form of the file now on disk (after an
 * edit wrote it), so the next `start` need not parse it again.
 */
export async function writeConfigCache(home: string, config: Config): Promise<void> {
  const paths = homePaths(home);
  try {
    const info = await lstatRegular(paths.config, MAX_CONFIG_BYTES);
    await writeJsonAtomic(paths.configCache, { ...keyOf(info), config } satisfies CacheFile);
  } catch {
    // the cache is an optimisation; loadConfig rebuilds it
  }
}

/** The libraries that parse and validate, imported only when the cache misses. */
export async function importParsers() {
  const [yaml, schema] = await Promise.all([import("yaml"), import("./schema.ts")]);
  return { yaml, schema };
}

type Parsers = Awaited<ReturnType<typeof importParsers>>;

/** Parses and validates config text; `file` names it in errors, `builtins` are the known adapter types. */
export function parseConfigText(
  text: string,
  file: string,
  { yaml, schema }: Parsers,
  builtins: readonly string[],
): Config {
  refuseNul(text, file);
  const raw = parseYamlText(yaml, text, file);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(
      `Invalid config in ${file}: expected a mapping with default, backends, models, aliases`,
    );
  }
  const result = schema.configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String).join(".") || "(top level)";
    // a bad key in a mapping: say what is wrong with the key, not only that it is
    const inner = issue.code === "invalid_key" ? issue.issues[0]?.message : undefined;
    throw new ConfigError(`Invalid config in ${file}: ${path}: ${inner ?? issue.message}`);
  }
  checkReferences(result.data, file, builtins);
  return result.data;
}

function checkReferences(config: Config, file: string, builtins: readonly string[]): void {
  const backends = new Set([...Object.keys(config.backends), ...builtins]);
  for (const [name, model] of Object.entries(config.models)) {
    if (!backends.has(model.backend)) {
      throw new ConfigError(
        `Invalid config in ${file}: models.${name}.backend: unknown backend '${model.backend}' (defined: ${
          Object.keys(config.backends).join(", ") || "none"
        })`,
      );
    }
  }
  for (const [name, alias] of Object.entries(config.aliases)) {
    if (!(alias.model in config.models)) {
      throw new ConfigError(
        `Invalid config in ${file}: aliases.${name}.model: unknown model '${alias.model}' (add it under models:)`,
      );
    }
  }
  for (const [name, backend] of Object.entries(config.backends)) {
    const type = adapterType(name, backend);
    if (type !== "command" && !builtins.includes(type)) {
      throw new ConfigError(
        `Invalid config in ${file}: backends.${name}: needs 'command' (a shell command) or a known 'type' (${
          builtins.join(", ")
        })`,
      );
    }
  }
  if (config.default && !(config.default in config.models) && !(config.default in config.aliases)) {
    throw new ConfigError(
      `Invalid config in ${file}: default: '${config.default}' is neither a model nor an alias`,
    );
  }
}
