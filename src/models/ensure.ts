/**
 * The glue between the pure resolver and the world: discovery through the
 * worker CLIs (cached), and adding what it finds to config.yaml. Used by
 * `dispatch resolve` and by `dispatch start --model NAME` when NAME is not in
 * the config, so both follow the same rules. Loaded only then: a `start`
 * with a configured model never imports it.
 * @module
 */
import type { Ctx } from "../context.ts";
import { InputError } from "../errors.ts";
import type { Config } from "../config/schema.ts";
import { addModel } from "../config/edit.ts";
import { editConfig } from "../backends/config_file.ts";
import { type Catalog, readCatalog } from "./catalog.ts";
import { refreshCatalog } from "./discover.ts";
import { backendNameFor, placeModel } from "./place.ts";
import { available } from "./resolve.ts";
import { type Addition, type Resolution, resolveRequest } from "./resolve_request.ts";
import type { ProbeRunner } from "../proc/probe.ts";

/** Test seams. */
export interface DiscoveryDeps {
  runner?: ProbeRunner;
  timeoutMs?: number;
}

/** Runs discovery for `ctx` and `config` now, caching the catalog. */
export function discoverNow(
  ctx: Ctx,
  config: Config | undefined,
  deps: DiscoveryDeps = {},
): Promise<Catalog> {
  return refreshCatalog(ctx.home, { env: ctx.env, now: ctx.now(), config, ...deps });
}

/** Adds discovered models to config.yaml (comment-preserving); resolves with the new config. */
export async function applyAdditions(ctx: Ctx, config: Config, additions: Addition[]): Promise<Config> {
  let current = config;
  for (const a of additions) {
    if (a.name in current.models) continue;
    current = (await editConfig(ctx.home, addModel(a.name, { backend: a.backend, id: a.modelId }))).config;
  }
  return current;
}

/** Resolves a request's text and adds what discovery found to config.yaml. */
export async function resolveAndRecord(
  ctx: Ctx,
  config: Config,
  text: string,
  deps: DiscoveryDeps = {},
): Promise<Resolution & { config: Config }> {
  const resolution = await resolveRequest(text, config, {
    cached: await readCatalog(ctx.home),
    discover: () => discoverNow(ctx, config, deps),
  });
  const next = await applyAdditions(ctx, config, resolution.additions);
  return { ...resolution, config: next };
}

/**
 * Makes sure `name` (a `--model` value) is in the config: a model or alias
 * already there is returned as is; otherwise discovery places it (cached
 * catalog first, then the CLIs) and it is added under the spelling the CLI
 * lists (`name` in the result). Unknown everywhere is an InputError listing
 * what is available.
 */
export async function ensureModel(
  ctx: Ctx,
  config: Config,
  name: string,
  deps: DiscoveryDeps = {},
): Promise<{ config: Config; name: string; added?: Addition }> {
  if (name in config.models || name in config.aliases) return { config, name };
  const cached = await readCatalog(ctx.home);
  let catalog = cached;
  let placed = cached ? placeModel(name, cached) : undefined;
  if (!placed) {
    catalog = await discoverNow(ctx, config, deps);
    placed = placeModel(name, catalog);
  }
  if (!placed || !catalog) {
    throw new InputError(
      `Unknown model: '${name}' (available: ${
        available(config)
      }; no installed CLI lists or takes it either: see 'dispatch models')`,
    );
  }
  const listed = catalog.clis.find((c) => c.backend === placed!.cli)?.models.find((m) =>
    m.toLowerCase() === name.toLowerCase()
  );
  const added: Addition = {
    name: listed ?? name,
    backend: backendNameFor(placed.cli, config),
    how: placed.how,
    ...(placed.modelId && placed.modelId !== (listed ?? name) ? { modelId: placed.modelId } : {}),
  };
  const next = await applyAdditions(ctx, config, [added]);
  return { config: next, name: added.name, added };
}
