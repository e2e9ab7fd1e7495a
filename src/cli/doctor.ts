/**
 * `dispatch doctor`: checks every configured backend works headless, with
 * the exact fix for each failure. Exits 1 when any backend is not ready.
 * @module
 */
import type { Ctx } from "../context.ts";
import { NotFoundError, UsageError } from "../errors.ts";
import { loadConfig } from "../backends/config_file.ts";
import type { Config } from "../config/schema.ts";
import { CLI_PROFILES } from "../backends/profiles.ts";
import { configuredBackends, runDoctor } from "../doctor/run.ts";
import { renderDoctor } from "../doctor/report.ts";
import { checkRunners } from "../doctor/runners.ts";
import { findExecutable } from "../models/discover.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch doctor [BACKEND...] [--json]

For every backend in config.yaml (or the ones named): is its CLI installed, which
version, is it authenticated (checked without spending tokens), and does its --help
list the flags dispatch runs it headless with; for every runner in runners: (a Slurm
cluster), is its scheduler up, does a test job see DISPATCH_HOME, and are dispatch and
the worker CLIs on its node (job checks time out after 60 s). One line per check, ✓ or ✗, with the
fix for each failure. Exits 1 when a backend is not ready.

Options:
  --json   Print {"ok", "backends": [{"backend", "type", "ok", "checks": [...]}]}
`;

/** Without a config: the CLIs on PATH, as first-run setup would configure them. */
async function detectedConfig(ctx: Ctx): Promise<Config> {
  const backends: Config["backends"] = {};
  for (const cli of CLI_PROFILES) {
    if (await findExecutable(cli.bins, ctx.env.PATH ?? "")) backends[cli.name] = { type: cli.name };
  }
  return { backends, models: {}, aliases: {} } as Config;
}

/** Runs `dispatch doctor`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, { json: { type: "boolean" } }, HELP);
  if (!parsed) return 0;
  let config: Config;
  try {
    config = await loadConfig(ctx.home);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    config = await detectedConfig(ctx);
    if (!parsed.values.json) {
      ctx.stdout(
        `No config.yaml yet: checking the worker CLIs on PATH ('dispatch config init' writes one).\n`,
      );
    }
  }
  const names = configuredBackends(config).map(([n]) => n);
  const unknown = parsed.positionals.filter((n) => !names.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown backend: ${unknown.join(", ")} (configured: ${names.join(", ") || "none"})`,
    );
  }
  const reports = await runDoctor(ctx, config, parsed.positionals.length ? { only: parsed.positionals } : {});
  if (parsed.positionals.length === 0) reports.push(...await checkRunners(ctx, config)); // runners: too
  const ok = reports.every((r) => r.ok);
  if (parsed.values.json) {
    ctx.stdout(
      JSON.stringify(
        {
          ok,
          backends: reports.map((r) => ({
            ...r,
            checks: r.checks.map((c) => ({ ...c, fix: c.fix ?? null, skipped: c.skipped ?? false })),
          })),
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    ctx.stdout(reports.length ? renderDoctor(reports) : "No backends configured or found on PATH.\n");
  }
  return ok ? 0 : 1;
}
