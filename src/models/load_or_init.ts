/**
 * "Load config or run first-time setup", in one place for every command that
 * needs a config. Kept apart from first_run.ts so a `start` with a config
 * never loads discovery.
 * @module
 */
import type { Ctx } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import type { Config } from "../config/schema.ts";
import { loadConfig } from "../backends/config_file.ts";

/**
 * The config for a command that needs one: config.yaml, or on a first run
 * (no file yet) the one first-run setup writes from the CLIs it finds.
 */
export async function loadOrInit(ctx: Ctx): Promise<Config> {
  try {
    return await loadConfig(ctx.home);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    const { initConfig } = await import("./first_run.ts"); // first run only
    await initConfig(ctx);
    return await loadConfig(ctx.home);
  }
}
