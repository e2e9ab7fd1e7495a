/**
 * `dispatch config`: create, edit, show and locate config.yaml. Edits keep
 * the user's comments and order and a backup of the previous file.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { homePaths } from "../store/paths.ts";
import { editConfig, loadConfig } from "../backends/config_file.ts";
import { isTier, type Tier } from "../tier.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch config init|show|path|add-model|alias|default|remove

  init                             Find the installed worker CLIs and their models; write
                                   $DISPATCH_HOME/config.yaml (never overwrites an existing file)
  show                             Validate config.yaml and print it as JSON
  path                             Print the config file's path
  add-model NAME --backend B [--id MODEL_ID]
                                   Add a model (or change its backend/id); --id when the CLI
                                   needs a different id than NAME
  alias NAME --model M [--prompt P] [--tier read|edit|full]
                                   Add or change an alias: a name for a model with a prompt
                                   and/or a permission tier (--prompt "" removes the prompt)
  default NAME                     Use model or alias NAME when a request names none
  remove NAME                      Remove a model or alias (refused while an alias or the
                                   default uses it)

Edits keep your comments, blank lines and order, validate the result before writing
(bad input changes nothing), and keep the previous file as config.yaml.bak.
`;

const SUBCOMMAND_FLAGS: Record<string, string[]> = {
  init: [],
  show: [],
  path: [],
  "add-model": ["backend", "id"],
  alias: ["model", "prompt", "tier"],
  default: [],
  remove: [],
};

/** Runs `dispatch config`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, {
    backend: { type: "string" },
    id: { type: "string" },
    model: { type: "string" },
    prompt: { type: "string" },
    tier: { type: "string" },
  }, HELP);
  if (!parsed) return 0;
  const [sub, ...rest] = parsed.positionals;
  const v = parsed.values;
  if (sub === undefined || !(sub in SUBCOMMAND_FLAGS)) {
    throw new UsageError(
      `${sub ? `Unknown config command: '${sub}'` : "Missing config command"} (use ${
        Object.keys(SUBCOMMAND_FLAGS).join(", ")
      }; see --help)`,
    );
  }
  const allowed = SUBCOMMAND_FLAGS[sub]!;
  const given = Object.keys(v).filter((k) => k !== "help" && (v as Record<string, unknown>)[k] !== undefined);
  const stray = given.find((k) => !allowed.includes(k));
  if (stray) throw new UsageError(`Option --${stray} does not apply to 'config ${sub}' (see --help)`);
  const needsName = ["add-model", "alias", "default", "remove"].includes(sub);
  if (needsName && rest.length !== 1) {
    throw new UsageError(
      rest.length === 0
        ? `Missing NAME (usage: dispatch config ${sub} NAME${sub === "add-model" ? " --backend B" : ""}${
          sub === "alias" ? " --model M" : ""
        })`
        : `Too many arguments: ${rest.slice(1).join(" ")} (usage: dispatch config ${sub} NAME; quote names)`,
    );
  }
  if (!needsName && rest.length > 0) throw new UsageError(`Unexpected argument: ${rest[0]} (see --help)`);
  const name = rest[0]!;

  switch (sub) {
    case "init":
      return await init(ctx);
    case "show":
      ctx.stdout(JSON.stringify(await loadConfig(ctx.home), null, 2) + "\n");
      return 0;
    case "path":
      ctx.stdout(homePaths(ctx.home).config + "\n");
      return 0;
  }

  await applyEdit(ctx, sub, name, v);
  return 0;
}

/** `config init`: first-run setup, unless config.yaml exists. */
async function init(ctx: Ctx): Promise<number> {
  const { initConfig } = await import("../models/first_run.ts");
  const r = await initConfig(ctx);
  if (!r.written) {
    ctx.stdout(
      `Kept ${r.path}: it already exists (change it with 'dispatch config add-model|alias|default|remove').\n`,
    );
    return 0;
  }
  const config = await loadConfig(ctx.home);
  ctx.stdout(
    `Wrote ${r.path}: ${
      r.found.length ? `worker CLIs ${r.found.join(", ")}` : "no worker CLI found, only the scripted worker"
    }; ${r.models} model(s); default ${config.default}.\n`,
  );
  for (const cli of r.catalog?.clis ?? []) {
    if (cli.path && cli.error) {
      ctx.stderr(`dispatch: Note: ${cli.backend}: ${cli.error}; used its documented names\n`);
    }
  }
  return 0;
}

/** The edit subcommands: add-model, alias, default, remove. */
async function applyEdit(
  ctx: Ctx,
  sub: string,
  name: string,
  v: { backend?: string; id?: string; model?: string; prompt?: string; tier?: string },
): Promise<void> {
  const edit = await import("../config/edit.ts");
  let change: import("../config/edit.ts").Edit;
  switch (sub) {
    case "add-model":
      if (!v.backend) {
        throw new UsageError("Missing --backend (usage: dispatch config add-model NAME --backend B)");
      }
      change = edit.addModel(name, { backend: v.backend, id: v.id });
      break;
    case "alias":
      if (v.tier !== undefined && !isTier(v.tier)) {
        throw new UsageError(`Invalid --tier: '${v.tier}' (use read, edit or full)`);
      }
      change = edit.setAlias(name, { model: v.model, prompt: v.prompt, tier: v.tier as Tier | undefined });
      break;
    case "default":
      change = edit.setDefault(name);
      break;
    default:
      change = edit.removeName(name);
  }
  const r = await editConfig(ctx.home, change);
  ctx.stdout(
    r.changed ? `${r.message}. Saved ${r.path} (previous version: ${r.backup}).\n` : `${r.message}.\n`,
  );
}
