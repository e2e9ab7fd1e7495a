/**
 * Loading `config.yaml`: parse, validate, and cache the validated form as
 * JSON beside it, so the hot commands (`start`) skip importing the YAML and
 * zod libraries while the file is unchanged. Which adapter types exist is
 * the backends' business (src/backends/registry.ts): callers pass the
 * built-in ones in (src/backends/config_file.ts does).
 * @module
 */
import { ConfigError, NotFoundError } from "../errors.ts";
import { homePaths } from "../store/paths.ts";
import { readJsonOrUndefined, writeJsonAtomic } from "../store/fsx.ts";
import { adapterType } from "./backend_type.ts";
import type { Config } from "./schema.ts";

interface CacheFile {
  mtimeMs: number;
  size: number;
  config: Config;
}

/**
 * Loads and validates `$home/config.yaml`, knowing the adapter types in
 * `builtins` (every adapter but the shell-command one); throws NotFoundError
 * when missing.
 */
export async function loadConfigFile(home: string, builtins: readonly string[]): Promise<Config> {
  const paths = homePaths(home);
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(paths.config);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new NotFoundError(`No config: ${paths.config} does not exist; run 'dispatch config init'`);
    }
    throw e;
  }
  const mtimeMs = stat.mtime?.getTime() ?? 0;
  const cached = await readJsonOrUndefined<CacheFile>(paths.configCache).catch(() => undefined);
  if (cached && cached.mtimeMs === mtimeMs && cached.size === stat.size) return cached.config;
  const text = await Deno.readTextFile(paths.config);
  const config = parseConfigText(text, paths.config, await importParsers(), builtins);
  await writeJsonAtomic(paths.configCache, { mtimeMs, size: stat.size, config } satisfies CacheFile)
    .catch(() => {}); // a read-only home still works, just slower
  return config;
}

/**
 * Caches `config` as the validated form of the file now on disk (after an
 * edit wrote it), so the next `start` need not parse it again.
 */
export async function writeConfigCache(home: string, config: Config): Promise<void> {
  const paths = homePaths(home);
  try {
    const stat = await Deno.stat(paths.config);
    const cache: CacheFile = { mtimeMs: stat.mtime?.getTime() ?? 0, size: stat.size, config };
    await writeJsonAtomic(paths.configCache, cache);
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
  let raw: unknown;
  try {
    const doc = yaml.parseDocument(text);
    if (doc.errors.length > 0) throw doc.errors[0];
    raw = doc.toJS() ?? {};
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new ConfigError(`Invalid YAML in ${file}: ${msg}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(
      `Invalid config in ${file}: expected a mapping with default, backends, models, aliases`,
    );
  }
  const result = schema.configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String).join(".") || "(top level)";
    throw new ConfigError(`Invalid config in ${file}: ${path}: ${issue.message}`);
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
