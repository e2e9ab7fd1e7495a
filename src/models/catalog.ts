/**
 * The model catalog: what discovery found per worker CLI, cached in
 * `$DISPATCH_HOME/.models.cache.json` for `dispatch models` and the resolver.
 * @module
 */
import { readJsonOrUndefined, writeJsonAtomic } from "../store/fsx.ts";

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
