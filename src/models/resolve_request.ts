/**
 * Model resolution as code: from a request's free text to the model it
 * names, following the rules users know: a named model or alias wins; of
 * several, the last named wins; a name not in config is looked up through
 * discovery (gpt/codex/o-series names prefer codex, opus/sonnet/haiku-style
 * names claude, others the CLI that lists them) and added; unknown everywhere
 * is an error listing what is available; nothing named means the default,
 * which the user must confirm. Pure apart from the injected discovery.
 * @module
 */
import { InputError } from "../errors.ts";
import type { Config } from "../config/schema.ts";
import { CLI_NAMES } from "../backends/registry.ts";
import { CLI_PROFILES } from "../backends/profiles.ts";
import { type Catalog, catalogNames } from "./catalog.ts";
import { backendNameFor, placeModel } from "./place.ts";
import { type Mention, scanMentions, type Vocabulary } from "./mentions.ts";
import { available, type ResolvedModel, resolveModel } from "./resolve.ts";

export type { ResolvedModel } from "./resolve.ts";

/** A model discovery found that the config lacks: added to config.yaml by the caller. */
export interface Addition {
  name: string;
  backend: string;
  /** The id the CLI gets, when it differs from the name. */
  modelId?: string;
  /** How discovery knows it: listed by the CLI, or accepted as its family's id. */
  how: "listed" | "accepted";
}

/** One mention and what it resolved to. */
export interface ResolvedMention extends Mention {
  resolved?: ResolvedModel;
  /** It was found through discovery and is added to config. */
  added?: boolean;
  /** Why it resolved to nothing. */
  error?: string;
}

/** The resolver's answer for a request. */
export interface Resolution {
  /** The model or alias name to start the worker with (pass to `dispatch start --model`). */
  choice: string;
  resolved: ResolvedModel;
  /** `named` in the request, or the config's `default`. */
  source: "named" | "default";
  /** True when nothing was named: ask the user before using the default. */
  needsConfirmation: boolean;
  /** Every mention, in order, negated ones included. */
  mentions: ResolvedMention[];
  /** Models to add to config.yaml. */
  additions: Addition[];
  /** The catalog discovery produced, when it ran (for the cache). */
  discovered?: Catalog;
}

/** How the resolver reaches discovery; injected so tests need no CLI. */
export interface ResolveDeps {
  /** The last catalog, when there is one: consulted before running any CLI. */
  cached?: Catalog;
  /** Runs discovery now; called at most once, and only for a name no catalog at hand has. */
  discover(): Promise<Catalog>;
}

/** Plain words the CLIs take as model names (claude's opus, sonnet...): a request may name them. */
const PLAIN_MODEL_NAMES: readonly string[] = CLI_PROFILES.flatMap((p) => p.models.aliases ?? []);

function backendOfModel(config: Config, model: string): string | undefined {
  return config.models[model]?.backend;
}

/** The model a backend name stands for: the default if it runs there, else its first model. */
function modelForBackend(config: Config, backend: string): string | undefined {
  const def = config.default !== undefined ? resolveSafe(config, config.default) : undefined;
  if (def && def.backend === backend) return config.default;
  return Object.keys(config.models).find((m) => backendOfModel(config, m) === backend);
}

/** A configured model whose key or id is `<provider>/<name>`. */
function configuredBySuffix(config: Config, name: string): string | undefined {
  const tail = `/${name.toLowerCase()}`;
  return Object.entries(config.models).find(([key, m]) =>
    key.toLowerCase().endsWith(tail) || (m.model ?? "").toLowerCase().endsWith(tail)
  )?.[0];
}

function resolveSafe(config: Config, name: string): ResolvedModel | undefined {
  try {
    return resolveModel(config, name);
  } catch {
    return undefined;
  }
}

/** The names a request may use: the config's models, aliases and backends, and names known elsewhere. */
function vocabulary(config: Config, cached: Catalog | undefined): Vocabulary {
  const backendWords = new Set([...Object.keys(config.backends), ...CLI_NAMES]);
  backendWords.delete("scripted");
  return {
    models: Object.keys(config.models),
    aliases: Object.keys(config.aliases),
    backends: [...backendWords],
    known: [
      ...PLAIN_MODEL_NAMES,
      // `big-pickle` for a configured `opencode/big-pickle`
      ...Object.entries(config.models).flatMap(([k, m]) => [k, m.model ?? ""])
        .filter((id) => id.includes("/")).map((id) => id.slice(id.lastIndexOf("/") + 1)),
      ...catalogNames(cached),
    ].filter((n) => n !== "" && (!/^[a-z]+$/i.test(n) || PLAIN_MODEL_NAMES.includes(n))),
  };
}

/**
 * The answer from the resolved mentions: the last one not negated, else the
 * default (to be confirmed); an unresolved choice or no default is an error.
 */
function conclude(
  config: Config,
  results: ResolvedMention[],
  additions: Addition[],
  discovered: Catalog | undefined,
): Resolution {
  const chosen = [...results].reverse().find((r) => !r.negated);
  const rest = {
    mentions: results,
    additions: additions.filter((a) => results.some((r) => r.added && r.name === a.name)),
    ...(discovered ? { discovered } : {}),
  };
  if (chosen) {
    if (!chosen.resolved) {
      throw new InputError(
        `Unknown model: '${chosen.text}' (available: ${available(config)}${
          additions.length ? `, ${additions.map((a) => a.name).join(", ")}` : ""
        }; ${chosen.error}: see 'dispatch models')`,
      );
    }
    const choice = chosen.resolved.alias ?? chosen.resolved.model;
    return { choice, resolved: chosen.resolved, source: "named", needsConfirmation: false, ...rest };
  }
  if (config.default === undefined) {
    throw new InputError(
      `No model named and no default in config.yaml: name one (available: ${
        available(config)
      }) or set one with 'dispatch config default NAME'`,
    );
  }
  const resolved = resolveModel(config, config.default);
  return { choice: config.default, resolved, source: "default", needsConfirmation: true, ...rest };
}

/** Resolves a request's text to the model to run, discovering unknown names through `deps`. */
export async function resolveRequest(text: string, config: Config, deps: ResolveDeps): Promise<Resolution> {
  const mentions = scanMentions(text, vocabulary(config, deps.cached));

  let discovered: Catalog | undefined;
  const additions: Addition[] = [];
  const place = async (name: string) => {
    const fromCache = deps.cached ? placeModel(name, deps.cached) : undefined;
    if (fromCache) return { placed: fromCache, catalog: deps.cached! };
    discovered ??= await deps.discover();
    const placed = placeModel(name, discovered);
    return placed ? { placed, catalog: discovered } : undefined;
  };
  const addFound = (name: string, cli: string, how: Addition["how"], modelId?: string): ResolvedModel => {
    const backend = backendNameFor(cli, config);
    let addition = additions.find((a) => a.name === name);
    if (!addition) {
      addition = { name, backend, how, ...(modelId && modelId !== name ? { modelId } : {}) };
      additions.push(addition);
    }
    return { model: name, modelId: addition.modelId ?? name, backend };
  };

  const results: ResolvedMention[] = [];
  for (const m of mentions) {
    const r: ResolvedMention = { ...m };
    results.push(r);
    if (m.negated) continue;
    if (m.kind === "model" || m.kind === "alias") {
      r.resolved = resolveModel(config, m.name);
    } else if (m.kind === "backend") {
      const model = modelForBackend(config, m.name);
      if (model) r.resolved = resolveModel(config, model);
      else {
        const catalog = deps.cached?.clis.find((c) => c.backend === m.name && c.path)
          ? deps.cached
          : (discovered ??= await deps.discover());
        const cli = catalog?.clis.find((c) => c.backend === m.name && c.path && c.models.length > 0);
        if (cli) {
          r.resolved = addFound(cli.models[0]!, cli.backend, cli.source === "listed" ? "listed" : "accepted");
          r.added = true;
        } else {
          r.error = `no model in config.yaml runs on ${m.name}, and ${m.name} is not installed`;
        }
      }
    } else if (configuredBySuffix(config, m.name)) {
      // "big-pickle" for a configured `opencode/big-pickle`
      r.resolved = resolveModel(config, configuredBySuffix(config, m.name)!);
    } else {
      const found = await place(m.name);
      if (found) {
        const { placed, catalog } = found;
        const listedSpelling = catalog.clis.find((c) => c.backend === placed.cli)?.models
          .find((x) => x.toLowerCase() === m.name.toLowerCase());
        const name = listedSpelling ?? m.name;
        r.resolved = addFound(name, placed.cli, placed.how, placed.modelId);
        r.name = name;
        r.added = true;
      } else {
        r.error = "not in config.yaml, and no installed CLI lists or takes it";
      }
    }
  }

  return conclude(config, results, additions, discovered);
}
