/**
 * `dispatch resolve "<request text>"`: which model or alias a request names,
 * by the rules in src/models/resolve_request.ts: one line for the host (the
 * flag to pass to `dispatch start`), or JSON with every mention on --json.
 * Models found through discovery are added to config.yaml (unless --dry-run).
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { loadOrInit } from "../models/load_or_init.ts";
import type { ResolvedMention, ResolvedModel } from "../models/resolve_request.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch resolve [--dry-run] [--json] "request text"

Prints the model or alias the request names, as one line starting with the flag for
dispatch start ("--model opus (claude)", "--alias reviewer (opus on claude, tier read)"):
a named model or alias wins; of several, the last one named; a name not in config.yaml is
looked up through the installed CLIs and added; nothing named means the default, and the
line ends "default: nothing named, ask the user first" ("needs_confirmation": true in
JSON). Plain words count only when used as a name: "have opus review this" names opus,
"write a haiku about cats" names nothing.

Options:
  --json      Everything as JSON: the choice, every mention and why, what was added
  --dry-run   Do not add discovered models to config.yaml
`;

function modelJson(r: ResolvedModel | undefined) {
  return {
    model: r?.model ?? null,
    alias: r?.alias ?? null,
    backend: r?.backend ?? null,
    model_id: r?.modelId ?? null,
  };
}

function mentionJson(m: ResolvedMention) {
  return {
    text: m.text,
    index: m.index,
    kind: m.kind,
    name: m.name,
    negated: m.negated,
    why: m.why,
    ...modelJson(m.resolved),
    added: m.added ?? false,
    error: m.error ?? null,
  };
}

/**
 * The one line the host reads: the flag for `dispatch start` first, what it
 * runs on in brackets, then whether to ask the user and what config gained.
 */
export function compactLine(
  choice: string,
  r: ResolvedModel,
  confirm: boolean,
  added?: "added" | "dry",
): string {
  const flag = r.alias ? `--alias ${choice}` : `--model ${choice}`;
  const on = [r.alias ? `${r.model} on ${r.backend}` : r.backend, r.tier ? `tier ${r.tier}` : ""];
  return [
    `${flag} (${on.filter((x) => x).join(", ")})`,
    confirm ? " default: nothing named, ask the user first" : "",
    added === "added" ? " [added to config.yaml]" : added === "dry" ? " [not in config.yaml: --dry-run]" : "",
  ].join("");
}

/** Runs `dispatch resolve`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(
    ctx,
    args,
    { "dry-run": { type: "boolean" }, json: { type: "boolean" } },
    HELP,
  );
  if (!parsed) return 0;
  const text = parsed.positionals.join(" ").trim();
  if (text === "") throw new UsageError('Missing request text (usage: dispatch resolve "request text")');
  const config = await loadOrInit(ctx); // first run: same as start
  const { applyAdditions, discoverNow } = await import("../models/ensure.ts");
  const { resolveRequest } = await import("../models/resolve_request.ts");
  const { readCatalog } = await import("../models/catalog.ts");
  const r = await resolveRequest(text, config, {
    cached: await readCatalog(ctx.home),
    discover: () => discoverNow(ctx, config),
  });
  if (!parsed.values["dry-run"]) await applyAdditions(ctx, config, r.additions);
  if (!parsed.values.json) {
    const added = r.additions.length === 0 ? undefined : parsed.values["dry-run"] ? "dry" : "added";
    ctx.stdout(compactLine(r.choice, r.resolved, r.needsConfirmation, added) + "\n");
    return 0;
  }
  ctx.stdout(
    JSON.stringify(
      {
        choice: r.choice,
        ...modelJson(r.resolved),
        tier: r.resolved.tier ?? null,
        prompt: r.resolved.prompt ?? null,
        source: r.source,
        needs_confirmation: r.needsConfirmation,
        mentions: r.mentions.map(mentionJson),
        added: r.additions.map((a) => ({
          name: a.name,
          backend: a.backend,
          model_id: a.modelId ?? null,
          how: a.how,
        })),
        config_changed: !parsed.values["dry-run"] && r.additions.length > 0,
      },
      null,
      2,
    ) + "\n",
  );
  return 0;
}
