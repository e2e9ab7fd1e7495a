/**
 * Model discovery: which worker CLIs are installed and which models each
 * offers. CLIs that can list their models are asked (`codex debug models`,
 * `opencode models`, `agent models`), all at once and each with a time
 * limit, offline; the others (claude, gemini, qwen) have no list command,
 * so their documented names are used. The result (a catalog) is cached in
 * `$DISPATCH_HOME/.models.cache.json` for `dispatch models` and the resolver.
 * @module
 */
import type { Config } from "./schema.ts";
import { CLAUDE_ALIASES, familyOf, nativeBackend } from "./families.ts";
import { firstLine, type ProbeRunner, runProbe, stripAnsi, which } from "../proc/probe.ts";
import { readJsonOrUndefined, writeJsonAtomic } from "../store/fsx.ts";

/** How one CLI lists its models. */
interface ListCommand {
  args: string[];
  /** Added to the probe's environment (e.g. to stay offline). */
  env?: Record<string, string>;
  parse(stdout: string): string[];
  /** Overrides the default time limit, with the reason in a comment. */
  timeoutMs?: number;
}

/** A worker CLI discovery knows about. */
export interface CliSpec {
  /** The adapter (backend type) that drives it. */
  backend: string;
  /** Executable names, first found wins. */
  bins: string[];
  /** Human name, for messages. */
  label: string;
  /** The command that lists its models, when it has one. */
  list?: ListCommand;
  /** Names the CLI documents, used when it cannot list (or listing failed). */
  documented: string[];
  /**
   * Model ids the CLI takes though it does not name them (its own family's
   * full ids). Consulted only when the CLI did not list its models: a name a
   * listing CLI does not list is more likely a typo than a new model.
   */
  accepts?(name: string): boolean;
}

/** Parses `codex debug models` (JSON catalog): visible models, in codex's own picker order. */
export function parseCodexModels(stdout: string): string[] {
  const start = stdout.indexOf("{");
  if (start < 0) return [];
  const data = JSON.parse(stdout.slice(start)) as {
    models?: { slug?: unknown; visibility?: unknown; priority?: unknown }[];
  };
  const rank = (m: { priority?: unknown }) => typeof m.priority === "number" ? m.priority : Infinity;
  return (data.models ?? [])
    .filter((m) => typeof m.slug === "string" && m.visibility !== "hide")
    .sort((a, b) => rank(a) - rank(b))
    .map((m) => m.slug as string);
}

/** Parses `opencode models`: one `provider/model` per line. */
export function parseOpencodeModels(stdout: string): string[] {
  return stdout.split("\n").map((l) => stripAnsi(l).trim())
    .filter((l) => /^[\w.@-]+\/[\w.:@\/-]+$/.test(l));
}

/**
 * Parses `agent models` (Cursor CLI): lines `<id> - <Display Name>`, some
 * marked `(current)` or `(default)`, under a heading; documented format only,
 * as no cursor `agent` can run here.
 */
export function parseCursorModels(stdout: string): string[] {
  const out: string[] = [];
  for (const raw of stdout.split("\n")) {
    const line = stripAnsi(raw).trim();
    const m = /^(?:[*•-]\s+)?([A-Za-z0-9][\w.:\/-]*)(?:\s+-\s+.*)?$/.exec(line);
    if (!m || /^(available|models?|tip|loading)/i.test(line)) continue;
    if (!/\s-\s/.test(line) && !/[\d-]/.test(m[1]!)) continue; // a lone word is a heading, not an id
    out.push(m[1]!);
  }
  return out;
}

/** The CLIs discovery looks for, in the order their models appear in config.yaml. */
export const CLIS: CliSpec[] = [
  {
    backend: "claude",
    bins: ["claude"],
    label: "Claude Code",
    // claude has no list command; its aliases follow the newest model of each size
    documented: [...CLAUDE_ALIASES],
    accepts: (name) =>
      /^claude-[a-z0-9][\w.-]*$/.test(name) || (CLAUDE_ALIASES as readonly string[]).includes(name),
  },
  {
    backend: "codex",
    bins: ["codex"],
    label: "Codex CLI",
    // JSON, works offline (falls back to the catalog bundled in the binary); when listing
    // fails, any OpenAI-family id is taken (codex runs unknown ids, with a warning)
    list: { args: ["debug", "models"], parse: parseCodexModels },
    documented: [],
    accepts: (name) => familyOf(name) === "openai" && !name.includes("/"),
  },
  {
    backend: "gemini",
    bins: ["gemini"],
    label: "Gemini CLI",
    // no list command; VALID_GEMINI_MODELS in the gemini 0.61.0 bundle
    documented: [
      "gemini-2.5-pro",
      "gemini-3-pro-preview",
      "gemini-3.1-pro-preview",
      "gemini-3-flash-preview",
      "gemini-3.5-flash",
      "gemini-3.1-flash-lite",
    ],
    accepts: (name) => /^gemini-[\w.-]+$/.test(name),
  },
  {
    backend: "cursor",
    bins: ["agent", "cursor-agent"],
    label: "Cursor CLI",
    list: { args: ["models"], parse: parseCursorModels },
    documented: [],
  },
  {
    backend: "opencode",
    bins: ["opencode"],
    label: "opencode",
    list: {
      args: ["models"],
      // offline: list from the cached/bundled models.dev data, never fetch it
      env: { OPENCODE_DISABLE_MODELS_FETCH: "1", OPENCODE_DISABLE_AUTOUPDATE: "1" },
      parse: parseOpencodeModels,
      // opencode 1.18.33 took 2.9-6.6 s to list on this machine kind (a Bun binary booting its server)
      timeoutMs: 8000,
    },
    documented: [],
  },
  {
    backend: "qwen",
    bins: ["qwen"],
    label: "Qwen Code",
    // no list command; coder-model is Qwen OAuth's model (qwen 0.24.4), qwen3-coder-plus DashScope's
    documented: ["coder-model", "qwen3-coder-plus"],
    accepts: (name) => /^qwen[\w.-]*$/i.test(name),
  },
];

/** What discovery found for one CLI. */
export interface CliModels {
  backend: string;
  /** Where the executable is; null when it is not installed. */
  path: string | null;
  /** `listed`: the CLI listed them; `documented`: its documented names; `none`: not installed. */
  source: "listed" | "documented" | "none";
  models: string[];
  /** Why listing failed, when it did (the documented names are used instead). */
  error?: string;
  ms?: number;
}

/** Discovery's result. */
export interface Catalog {
  version: 1;
  /** When it was made, ms since the epoch. */
  created: number;
  clis: CliModels[];
}

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
}

/** The default time limit of one listing. */
export const DISCOVERY_TIMEOUT_MS = 5000;

async function discoverOne(spec: CliSpec, opts: DiscoverOptions): Promise<CliModels> {
  const override = opts.overrides?.[spec.backend];
  const bins = override?.bin ? [override.bin] : spec.bins;
  let path: string | undefined;
  for (const bin of bins) {
    path = await which(bin, opts.env.PATH ?? "");
    if (path) break;
  }
  if (!path) return { backend: spec.backend, path: null, source: "none", models: [] };
  if (!spec.list) return { backend: spec.backend, path, source: "documented", models: [...spec.documented] };
  const env = { ...opts.env, ...override?.env, ...spec.list.env };
  const timeoutMs = Math.max(opts.timeoutMs ?? DISCOVERY_TIMEOUT_MS, spec.list.timeoutMs ?? 0);
  const run = await (opts.runner ?? runProbe)([path, ...spec.list.args], { env, timeoutMs });
  const command = `${spec.bins[0]} ${spec.list.args.join(" ")}`;
  let error: string | undefined;
  if (run.timedOut) error = `'${command}' timed out after ${timeoutMs} ms`;
  else if (run.notFound) error = `'${command}' could not start: ${run.stderr}`;
  else if (run.code !== 0) error = `'${command}' exited ${run.code}: ${firstLine(run.stderr || run.stdout)}`;
  else {
    try {
      const models = [...new Set(spec.list.parse(run.stdout))];
      if (models.length > 0) return { backend: spec.backend, path, source: "listed", models, ms: run.ms };
      error = `'${command}' listed no models`;
    } catch (e) {
      error = `'${command}' printed something unexpected: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return {
    backend: spec.backend,
    path,
    source: "documented",
    models: [...spec.documented],
    error,
    ms: run.ms,
  };
}

/** Finds the installed CLIs and their models, all CLIs at once, each bounded in time. */
export async function discoverCatalog(opts: DiscoverOptions): Promise<Catalog> {
  const clis = await Promise.all(CLIS.map((spec) => discoverOne(spec, opts)));
  return { version: 1, created: opts.now, clis };
}

/** The discovery overrides a config implies: per backend type, the first backend's bin and env. */
export function overridesFrom(config: Config | undefined): DiscoverOptions["overrides"] {
  const out: NonNullable<DiscoverOptions["overrides"]> = {};
  for (const [name, b] of Object.entries(config?.backends ?? {})) {
    const type = b.type ?? (b.command ? "command" : name);
    if (!out[type] && CLIS.some((c) => c.backend === type)) out[type] = { bin: b.bin, env: b.env };
  }
  return out;
}

/** Where the catalog is cached. */
export function catalogPath(home: string): string {
  return `${home}/.models.cache.json`;
}

/** The cached catalog, or undefined when there is none (or it is unreadable). */
export async function readCatalog(home: string): Promise<Catalog | undefined> {
  const cached = await readJsonOrUndefined<Catalog>(catalogPath(home)).catch(() => undefined);
  return cached?.version === 1 && Array.isArray(cached.clis) ? cached : undefined;
}

/** Caches a catalog (best effort: a read-only home only loses the cache). */
export async function writeCatalog(home: string, catalog: Catalog): Promise<void> {
  await writeJsonAtomic(catalogPath(home), catalog).catch(() => {});
}

/** Where a model name can run, and why. */
export interface Placement {
  /** The backend type (CLI) chosen. */
  cli: string;
  /** The id the CLI is given, when it differs from the name (opencode's `provider/model`). */
  modelId?: string;
  /** `listed` by the CLI, or `accepted` as one of its family's ids. */
  how: "listed" | "accepted";
}

/**
 * Chooses the CLI for a model name from a catalog: among the installed CLIs
 * that list the name (or, for opencode-style `provider/model` ids, list it
 * under a provider) or take it as one of their family's ids, the family's own
 * CLI wins (opus/sonnet/haiku-style names: claude; gpt/codex/o-series: codex);
 * otherwise the first CLI that lists it. Undefined when no CLI has it.
 */
export function placeModel(name: string, catalog: Catalog): Placement | undefined {
  const lower = name.toLowerCase();
  const candidates: Placement[] = [];
  for (const cli of catalog.clis) {
    if (!cli.path) continue;
    const exact = cli.models.find((m) => m.toLowerCase() === lower);
    const suffixed = exact ??
      (name.includes("/") ? undefined : cli.models.find((m) => m.toLowerCase().endsWith(`/${lower}`)));
    if (suffixed) {
      candidates.push({
        cli: cli.backend,
        how: "listed",
        ...(suffixed !== name ? { modelId: suffixed } : {}),
      });
      continue;
    }
    const spec = CLIS.find((s) => s.backend === cli.backend);
    if (cli.source !== "listed" && spec?.accepts?.(name)) {
      candidates.push({ cli: cli.backend, how: "accepted" });
    }
  }
  if (candidates.length === 0) return undefined;
  const family = familyOf(name);
  const native = family ? candidates.find((c) => c.cli === nativeBackend(family)) : undefined;
  return native ?? candidates.find((c) => c.how === "listed") ?? candidates[0];
}

/**
 * The backend name (a key of `backends:`) that runs a CLI in this config: a
 * backend of that type, else one named after it (an earlier dispatch's
 * `claude: { command: ... }`), else the built-in name itself.
 */
export function backendNameFor(cli: string, config: Config | undefined): string {
  const backends = Object.entries(config?.backends ?? {});
  return backends.find(([, b]) => b.type === cli)?.[0] ??
    backends.find(([name]) => name === cli)?.[0] ?? cli;
}

/** Every name the catalog knows, for the resolver's vocabulary (full ids and bare `provider/` suffixes). */
export function catalogNames(catalog: Catalog | undefined): string[] {
  const names = new Set<string>();
  for (const cli of catalog?.clis ?? []) {
    if (!cli.path) continue;
    for (const m of cli.models) {
      names.add(m);
      const slash = m.lastIndexOf("/");
      if (slash >= 0) names.add(m.slice(slash + 1));
    }
  }
  return [...names];
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
