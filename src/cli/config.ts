/**
 * `dispatch config`: create, show and locate config.yaml.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { homePaths } from "../store/paths.ts";
import { loadConfig } from "../config/load.ts";
import { initConfig } from "../config/init.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch config init|show|path

  init   Detect installed worker CLIs and write $DISPATCH_HOME/config.yaml (never overwrites)
  show   Validate config.yaml and print it as JSON
  path   Print the config file's path
`;

/** Runs `dispatch config`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = parseFlags(ctx, args, {}, HELP);
  if (!parsed) return 0;
  const [sub] = parsed.positionals;
  switch (sub) {
    case "init": {
      const r = await initConfig(ctx);
      ctx.stdout(
        r.written
          ? `Wrote ${r.path} (detected: ${
            r.found.join(", ") || "no worker CLI; only the scripted worker"
          }).\n`
          : `Kept ${r.path}: it already exists.\n`,
      );
      return 0;
    }
    case "show":
      ctx.stdout(JSON.stringify(await loadConfig(ctx.home), null, 2) + "\n");
      return 0;
    case "path":
      ctx.stdout(homePaths(ctx.home).config + "\n");
      return 0;
    default:
      throw new UsageError(
        `${sub ? `Unknown config command: '${sub}'` : "Missing config command"} (use init, show or path)`,
      );
  }
}
