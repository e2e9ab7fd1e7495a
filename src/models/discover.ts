/**
 * Model discovery: which worker CLIs are installed and which models each
 * offers. CLIs that can list their models are asked (`codex debug models`,
 * `opencode models`, `agent models`), all at once and each with a time
 * limit, offline; the others (claude, gemini, qwen) have no list command,
 * so their documented names are used. What each CLI offers is in its
 * profile (`src/backends/<cli>/profile.ts`); this engine loops over them.
 * @module
 */
import type { Config } from "../config/schema.ts";
import { adapterType, isCliName } from "../backends/registry.ts";
import { CLI_PROFILES } from "../backends/profiles.ts";
import type { CliProfile } from "../backends/profile.ts";
import { firstLine, type ProbeRunner, runProbe, which } from "../proc/probe.ts";
import { type Catalog, type CliModels, writeCatalog } from "./catalog.ts";

/** Options for {@linkcode discoverCatalog}. */
export interface DiscoverOptions {
  /** The environment the CLIs see (PATH decides what is installed). */
  env: Record<string, string>;
  now: number;
  /** Per-CLI time limit (default 5 s; opencode's own is longer). */
  timeoutMs?: number;
  runner?: ProbeRunner;
  /** Per backend type: an executable and environment from config (`backends.<name>.bin/env`). */
  overrides?: Record<string, { bin?: string; env?: Record<string, string> }>;
  /** The CLIs to look for (default: the registry's). */
  profiles?: readonly CliProfile[];
}

/** The default time limit of one listing. */
export const DISCOVERY_TIMEOUT_MS = 5000;

/** The first of `bins` found on `path`. */
export async function findExecutable(bins: readonly string[], path: string): Promise<string | undefined> {
  for (const bin of bins) {
    const found = await which(bin, path);
    if (found) return found;
  }
  return undefined;
}

async function discoverOne(profile: CliProfile, opts: DiscoverOptions): Promise<CliModels> {
  const backend = profile.name;
  const { list, documented } = profile.models;
  const override = opts.overrides?.[backend];
  const path = await findExecutable(override?.bin ? [override.bin] : profile.bins, opts.env.PATH ?? "");
  if (!path) return { backend, path: null, source: "none", models: [] };
  if (!list) return { backend, path, source: "documented", models: [...documented] };
  const env = { ...opts.env, ...override?.env, ...list.env };
  const timeoutMs = Math.max(opts.timeoutMs ?? DISCOVERY_TIMEOUT_MS, list.timeoutMs ?? 0);
  const run = await (opts.runner ?? runProbe)([path, ...list.args], { env, timeoutMs });
  const command = `${profile.bins[0]} ${list.args.join(" ")}`;
  let error: string | undefined;
  if (run.timedOut) error = `'${command}' timed out after ${timeoutMs} ms`;
  else if (run.notFound) error = `'${command}' could not start: ${run.stderr}`;
  else if (run.code !== 0) error = `'${command}' exited ${run.code}: ${firstLine(run.stderr || run.stdout)}`;
  else {
    try {
      const models = [...new Set(list.parse(run.stdout))];
      if (models.length > 0) return { backend, path, source: "listed", models, ms: run.ms };
      error = `'${command}' listed no models`;
    } catch (e) {
      error = `'${command}' printed something unexpected: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return { backend, path, source: "documented", models: [...documented], error, ms: run.ms };
}

/** Finds the installed CLIs and their models, all CLIs at once, each bounded in time. */
export async function discoverCatalog(opts: DiscoverOptions): Promise<Catalog> {
  const clis = await Promise.all((opts.profiles ?? CLI_PROFILES).map((p) => discoverOne(p, opts)));
  return { version: 1, created: opts.now, clis };
}

/** The discovery overrides a config implies: per backend type, the first backend's bin and env. */
export function overridesFrom(config: Config | undefined): DiscoverOptions["overrides"] {
  const out: NonNullable<DiscoverOptions["overrides"]> = {};
  for (const [name, b] of Object.entries(config?.backends ?? {})) {
    const type = adapterType(name, b);
    if (!out[type] && isCliName(type)) out[type] = { bin: b.bin, env: b.env };
  }
  return out;
}

/** Runs discovery with a config's backend overrides and caches the result. */
export async function refreshCatalog(
  home: string,
  opts: Omit<DiscoverOptions, "overrides"> & { config?: Config },
): Promise<Catalog> {
  const catalog = await discoverCatalog({ ...opts, overrides: overridesFrom(opts.config) });
  await writeCatalog(home, catalog);
  return catalog;
}
