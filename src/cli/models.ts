/**
 * `dispatch models`: the models each installed worker CLI offers, from the
 * cached discovery (refreshed when older than a day, or with --refresh),
 * marking those already in config.yaml.
 * @module
 */
import type { Ctx } from "../context.ts";
import { NotFoundError, UsageError } from "../errors.ts";
import { loadConfig } from "../backends/config_file.ts";
import type { Config } from "../config/schema.ts";
import { profileOf } from "../backends/profiles.ts";
import { type Catalog, readCatalog } from "../models/catalog.ts";
import { refreshCatalog } from "../models/discover.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch models [--refresh] [--json]

Lists the models of each installed worker CLI: listed by the CLI where it can
(codex debug models, opencode models, agent models), else its documented names
(claude, gemini, qwen). '*' marks models already in config.yaml.

Options:
  --refresh   Ask the CLIs again now (otherwise a cached list up to a day old is used)
  --json      Print the catalog as JSON
`;

/** How old a cached catalog may be before `models` asks the CLIs again. */
export const CATALOG_MAX_AGE_MS = 24 * 3600 * 1000;

/** Renders a catalog as text. */
export function renderCatalog(catalog: Catalog, config: Config | undefined): string {
  const configured = new Set(Object.values(config?.models ?? {}).map((m) => m.model).filter(Boolean));
  for (const k of Object.keys(config?.models ?? {})) configured.add(k);
  const lines: string[] = [];
  for (const cli of catalog.clis) {
    const spec = profileOf(cli.backend)!;
    if (!cli.path) {
      lines.push(`${cli.backend}: not installed (${spec.bins.join(" or ")} not on PATH)`);
      continue;
    }
    const how = cli.source === "listed"
      ? `listed by '${spec.bins[0]} ${spec.models.list!.args.join(" ")}'`
      : cli.error
      ? `documented names (${cli.error})`
      : `documented names (${spec.label} has no list command)`;
    lines.push(`${cli.backend}: ${cli.path}, ${cli.models.length} model(s), ${how}`);
    const names = cli.models.map((m) => (configured.has(m) ? `${m} *` : m));
    for (let i = 0; i < names.length; i += 4) lines.push(`  ${names.slice(i, i + 4).join(", ")}`);
  }
  const age = Math.round((Date.now() - catalog.created) / 60000);
  lines.push(
    "",
    `* = in config.yaml. Add one: dispatch config add-model NAME --backend B. ${
      age > 1 ? `Listed ${age} min ago; --refresh to ask again.` : ""
    }`.trimEnd(),
  );
  return lines.join("\n") + "\n";
}

/** Runs `dispatch models`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(
    ctx,
    args,
    { refresh: { type: "boolean" }, json: { type: "boolean" } },
    HELP,
  );
  if (!parsed) return 0;
  if (parsed.positionals.length > 0) {
    throw new UsageError(`Unexpected argument: ${parsed.positionals[0]} (see --help)`);
  }
  let config: Config | undefined;
  try {
    config = await loadConfig(ctx.home);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
  }
  let catalog = parsed.values.refresh ? undefined : await readCatalog(ctx.home);
  if (!catalog || ctx.now() - catalog.created > CATALOG_MAX_AGE_MS) {
    catalog = await refreshCatalog(ctx.home, { env: ctx.env, now: ctx.now(), config });
  }
  ctx.stdout(parsed.values.json ? JSON.stringify(catalog, null, 2) + "\n" : renderCatalog(catalog, config));
  return 0;
}
