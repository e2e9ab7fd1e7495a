/**
 * First-run setup: find the installed worker CLIs, discover their models,
 * and write a commented `config.yaml` (rendered by src/config/init.ts) with
 * every detected model grouped by provider, the detected backends only (plus
 * the built-in scripted worker), and a default. Never overwrites an existing
 * file.
 * @module
 */
import type { Ctx } from "../context.ts";
import { createExclusive, ensureDir } from "../store/fsx.ts";
import { homePaths } from "../store/paths.ts";
import {
  type FirstConfigFacts,
  type ModelEntry,
  type ModelGroup,
  renderInitialConfig,
} from "../config/init.ts";
import { CLI_NAMES } from "../backends/registry.ts";
import { profileOf } from "../backends/profiles.ts";
import { type Catalog, writeCatalog } from "./catalog.ts";
import { discoverCatalog, type DiscoverOptions } from "./discover.ts";
import { FAMILY_LABELS, groupLabel } from "./families.ts";
import { placeModel } from "./place.ts";

/** The models of a catalog, each under the CLI that should run it, grouped by provider. */
export function groupModels(catalog: Catalog): ModelGroup[] {
  const groups = new Map<string, { label: string; notes: Set<string>; entries: ModelEntry[] }>();
  const seen = new Set<string>();
  for (const cli of catalog.clis) {
    if (!cli.path) continue;
    for (const name of cli.models) {
      if (seen.has(name.toLowerCase())) continue;
      // the same name listed by two CLIs goes to the family's own CLI (gpt-* to codex, not cursor)
      const placed = placeModel(name, catalog);
      const backend = placed?.cli ?? cli.backend;
      const owner = catalog.clis.find((c) => c.backend === backend)!;
      seen.add(name.toLowerCase());
      const label = groupLabel(name, backend);
      const group = groups.get(label) ?? { label, notes: new Set(), entries: [] };
      const cliLabel = profileOf(backend)!.label;
      group.notes.add(owner.source === "listed" ? `listed by ${cliLabel}` : `${cliLabel}'s documented names`);
      group.entries.push({ name, backend, ...(placed?.modelId ? { modelId: placed.modelId } : {}) });
      groups.set(label, group);
    }
  }
  // known providers first, in a fixed order; then the rest as found
  const rank = (label: string) => {
    const k = FAMILY_LABELS.indexOf(label);
    return k < 0 ? FAMILY_LABELS.length : k;
  };
  return [...groups.values()].sort((a, b) => rank(a.label) - rank(b.label))
    .map((g) => ({ label: g.label, note: [...g.notes].join("; "), entries: g.entries }));
}

/**
 * Picks the default: the first model of the most preferred detected CLI (the
 * registry's order), else the scripted worker.
 */
export function chooseDefault(catalog: Catalog): string {
  for (const backend of CLI_NAMES) {
    const cli = catalog.clis.find((c) => c.backend === backend && c.path && c.models.length > 0);
    if (!cli) continue;
    const first = cli.models.find((m) => (placeModel(m, catalog)?.cli ?? backend) === backend);
    if (first) return first;
  }
  return "scripted";
}

/** What a catalog tells the first config.yaml: the default, the installed CLIs, the failed listings, the models. */
export function firstConfigFacts(catalog: Catalog): FirstConfigFacts {
  const installed = catalog.clis.filter((c) => c.path);
  return {
    default: chooseDefault(catalog),
    backends: installed.map((c) => c.backend),
    failed: installed.flatMap((c) => c.error ? [{ backend: c.backend, error: c.error }] : []),
    groups: groupModels(catalog),
  };
}

/** The first config.yaml's text for a catalog; `when` dates the header. */
export function initialConfigText(catalog: Catalog, when = new Date(catalog.created)): string {
  return renderInitialConfig(firstConfigFacts(catalog), when);
}

/** What {@linkcode initConfig} did. */
export interface InitResult {
  path: string;
  written: boolean;
  /** Backends detected (empty when the file was kept). */
  found: string[];
  /** Number of models written, the scripted one included. */
  models: number;
  catalog?: Catalog;
}

/**
 * Writes config.yaml from discovery unless it exists. Discovery runs only
 * when there is no file; the catalog is cached for `dispatch models`.
 */
export async function initConfig(
  ctx: Ctx,
  opts: Pick<DiscoverOptions, "runner" | "timeoutMs"> = {},
): Promise<InitResult> {
  const paths = homePaths(ctx.home);
  await ensureDir(ctx.home);
  if (await Deno.lstat(paths.config).then(() => true, () => false)) {
    return { path: paths.config, written: false, found: [], models: 0 };
  }
  const catalog = await discoverCatalog({ env: ctx.env, now: ctx.now(), ...opts });
  await writeCatalog(ctx.home, catalog);
  const text = initialConfigText(catalog);
  // exclusive and atomic: a concurrent first `start` cannot see half a file or overwrite ours
  const written = await createExclusive(paths.config, text);
  return {
    path: paths.config,
    written,
    found: written ? catalog.clis.filter((c) => c.path).map((c) => c.backend) : [],
    models: written ? groupModels(catalog).reduce((n, g) => n + g.entries.length, 1) : 0,
    catalog,
  };
}
