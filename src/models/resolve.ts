/**
 * Turning a model or alias name into the backend and model id a worker runs.
 * Kept free of discovery and text scanning (resolve_request.ts)
 * because every `dispatch start` loads it.
 * @module
 */
import { InputError } from "../errors.ts";
import type { Config } from "../config/schema.ts";
import type { Tier } from "../tier.ts";

/** A resolved choice. */
export interface ResolvedModel {
  /** The key under `models:`. */
  model: string;
  /** The id passed to the CLI. */
  modelId: string;
  backend: string;
  alias?: string;
  /** The alias's prompt addition. */
  prompt?: string;
  /** The alias's tier, if it sets one. */
  tier?: Tier;
}

/** The names a config offers, for error messages. */
export function available(config: Config): string {
  const names = [...Object.keys(config.models), ...Object.keys(config.aliases)];
  return names.length > 0 ? names.join(", ") : "none (run 'dispatch config init')";
}

/** Resolves `name` as an alias, then as a model; undefined means the config default. */
export function resolveModel(config: Config, name: string | undefined): ResolvedModel {
  const wanted = name ?? config.default;
  if (wanted === undefined) {
    throw new InputError(
      `No model given and no default in config: pass --model (available: ${available(config)})`,
    );
  }
  const alias = config.aliases[wanted];
  if (alias) {
    const inner = resolveModel(config, alias.model);
    return { ...inner, alias: wanted, prompt: alias.prompt, tier: alias.tier };
  }
  const model = config.models[wanted];
  if (!model) throw new InputError(`Unknown model: '${wanted}' (available: ${available(config)})`);
  return { model: wanted, modelId: model.model ?? wanted, backend: model.backend };
}
