/**
 * First-run setup: find the installed worker CLIs, discover their models,
 * and write a commented `config.yaml` with every detected model grouped by
 * provider, the detected backends only (plus the built-in scripted worker),
 * and a default. Never overwrites an existing file.
 * @module
 */
import type { Ctx } from "../context.ts";
import { createExclusive, ensureDir } from "../store/fsx.ts";
import { homePaths } from "../store/paths.ts";
import {
  type Catalog,
  CLIS,
  discoverCatalog,
  type DiscoverOptions,
  placeModel,
  writeCatalog,
} from "./discover.ts";
import { FAMILY_LABELS, groupLabel } from "./families.ts";
import { flowMap, yamlKey, yamlScalar } from "./yaml_text.ts";

export { which } from "../proc/probe.ts";

/** Order of preference for the default model: the first detected CLI's first model. */
const DEFAULT_ORDER = ["claude", "codex", "gemini", "cursor", "opencode", "qwen"];

/** One model line to write. */
interface Entry {
  name: string;
  backend: string;
  modelId?: string;
}

/** The models of a catalog, each under the CLI that should run it, grouped by provider. */
export function groupModels(catalog: Catalog): { label: string; note: string; entries: Entry[] }[] {
  const groups = new Map<string, { label: string; notes: Set<string>; entries: Entry[] }>();
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
      group.notes.add(
        owner.source === "listed"
          ? `listed by ${CLIS.find((c) => c.backend === backend)!.label}`
          : `${CLIS.find((c) => c.backend === backend)!.label}'s documented names`,
      );
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

/** Picks the default: the first model of the most preferred detected CLI, else the scripted worker. */
export function chooseDefault(catalog: Catalog): string {
  for (const backend of DEFAULT_ORDER) {
    const cli = catalog.clis.find((c) => c.backend === backend && c.path && c.models.length > 0);
    if (!cli) continue;
    const first = cli.models.find((m) => (placeModel(m, catalog)?.cli ?? backend) === backend);
    if (first) return first;
  }
  return "scripted";
}

/** Renders the config text for a catalog; `when` dates the header. */
export function renderInitialConfig(catalog: Catalog, when = new Date(catalog.created)): string {
  const installed = catalog.clis.filter((c) => c.path);
  const groups = groupModels(catalog);
  const width = Math.min(
    24,
    Math.max(8, ...groups.flatMap((g) => g.entries.map((e) => yamlKey(e.name).length + 1))),
  );
  const lines = [
    "# dispatch config: the worker CLIs (backends), the models they run, and aliases.",
    `# Written by 'dispatch config init' on ${when.toISOString().slice(0, 10)}. Edit freely;`,
    "# 'dispatch config add-model|alias|default|remove' keep your comments and order.",
    "",
    "# The model used when a request names none (dispatch asks you to confirm it first).",
    `default: ${yamlScalar(chooseDefault(catalog))}`,
    "",
    "# Worker CLIs found on PATH. Per backend you may add: env (added to the worker's",
    "# environment, e.g. a gateway URL), args (extra flags), bin (the executable), max_concurrent.",
    "backends:",
  ];
  for (const cli of installed) lines.push(`  ${cli.backend}: { type: ${cli.backend} }`);
  lines.push("  scripted: { type: scripted }  # built-in scripted worker: demos and tests, no API key");
  const failed = installed.filter((c) => c.error);
  for (const cli of failed) {
    lines.push(
      `  # ${cli.backend}: listing its models failed (${cli.error}); add them with 'dispatch config add-model'`,
    );
  }
  lines.push(
    "",
    "# Models, grouped by provider. The key is the name you use in a request; add",
    "# `model: ID` when the CLI needs a different id, `args: [...]` for extra flags.",
    "models:",
  );
  for (const group of groups) {
    lines.push(`  # ${group.label}: ${group.note}`);
    for (const e of group.entries) {
      lines.push(
        `  ${`${yamlKey(e.name)}:`.padEnd(width)} ${flowMap({ backend: e.backend, model: e.modelId })}`,
      );
    }
  }
  lines.push(
    "  # Built in",
    `  ${"scripted:".padEnd(width)} { backend: scripted }`,
    "",
    "# Aliases: a name for a model with a prompt and/or a permission tier (read, edit, full), e.g.",
    '#   reviewer: { model: opus, prompt: "You are a careful code reviewer.", tier: read }',
    "aliases: {}",
  );
  return lines.join("\n") + "\n";
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
  const text = renderInitialConfig(catalog);
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
