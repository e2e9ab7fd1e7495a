/**
 * `dispatch start`: start a background worker on a checklist plan.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { type Tier, TIERS } from "../tier.ts";
import { rulesProblem } from "../rules.ts";
import { loadOrInit } from "../models/load_or_init.ts";
import { parsePositiveDuration } from "../duration.ts";
import { startTask } from "../runtime/start.ts";
import { startLine } from "../render/notices.ts";
import { taskPaths } from "../store/paths.ts";
import { parseFlags, sessionFrom } from "./args.ts";

const HELP = `Usage: dispatch start --title T [--model M | --alias A] --plan FILE|- [options]

Starts a background worker on a checklist plan and returns at once, printing the task id.

Options:
  --title T        One line naming the task (the id is made from it)
  --model M        A model or alias from config.yaml (default: the config's default)
  --alias A        Same as --model, for an alias
  --plan FILE|-    The checklist (markdown with '- [ ] step' lines); '-' reads stdin
  --cwd DIR        Where the worker works (default: the current directory)
  --worktree       Work in a new git worktree (branch dispatch/<id>) under $DISPATCH_HOME/worktrees
  --tier T         read | edit | full: what the worker may do (default: edit)
  --timeout D      Kill the worker after D (e.g. 30m, 2h)
  --stall D        Report it stalled after D without output or plan change (default 10m)
  --allow R        A shell command the worker may run without asking: exact ('npm test') or a
                   prefix ending in ' *' ('git diff *'); repeatable
  --deny R         A shell command it may never run (same form; repeatable; deny wins over allow)
  --runner R       Where the worker runs: local, or a runner under runners: in config.yaml
                   (e.g. a Slurm cluster; default: the alias's, model's or backend's, else local)
  --session S      The host session that hears about it (default: $DISPATCH_SESSION)
  --json           Print {"id", "plan", "state", ...} instead of a line
`;

/** Runs `dispatch start`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, {
    title: { type: "string" },
    model: { type: "string" },
    alias: { type: "string" },
    plan: { type: "string" },
    cwd: { type: "string" },
    tier: { type: "string" },
    timeout: { type: "string" },
    stall: { type: "string" },
    session: { type: "string" },
    runner: { type: "string" },
    json: { type: "boolean" },
    worktree: { type: "boolean" },
    allow: { type: "string", multiple: true },
    deny: { type: "string", multiple: true },
  }, HELP);
  if (!parsed) return 0;
  const v = parsed.values;
  if (parsed.positionals.length > 0) {
    throw new UsageError(
      `Unexpected argument: ${parsed.positionals[0]} (pass the plan with --plan FILE or --plan -)`,
    );
  }
  if (!v.title) {
    throw new UsageError("Missing --title (usage: dispatch start --title T --model M --plan FILE|-)");
  }
  if (v.plan === undefined) {
    throw new UsageError("Missing --plan: give a checklist file, or '-' to read it from stdin");
  }
  if (v.model && v.alias) throw new UsageError("Give --model or --alias, not both");
  if (v.tier !== undefined && !(TIERS as readonly string[]).includes(v.tier)) {
    throw new UsageError(`Invalid --tier: '${v.tier}' (use read, edit or full)`);
  }
  const flags = { allow: v.allow ?? [], deny: v.deny ?? [] };
  const badRule = rulesProblem(flags, "--");
  if (badRule) throw new UsageError(`Invalid rule: ${badRule}`);
  const timeoutMs = v.timeout === undefined ? undefined : parsePositiveDuration(v.timeout, "--timeout");
  const stallMs = v.stall === undefined ? undefined : parsePositiveDuration(v.stall, "--stall");
  const plan = v.plan === "-" ? await ctx.stdin() : { file: v.plan };
  let config = await loadOrInit(ctx);
  let model = v.model ?? v.alias;
  if (model !== undefined && !(model in config.models) && !(model in config.aliases)) {
    // not configured: discovery may know it (added to config.yaml); loaded only on this path
    const { ensureModel } = await import("../models/ensure.ts");
    const ensured = await ensureModel(ctx, config, model);
    if (ensured.added) {
      ctx.stderr(`dispatch: Added model ${ensured.name} (${ensured.added.backend}) to config.yaml\n`);
    }
    config = ensured.config;
    model = ensured.name;
  }
  const session = sessionFrom(ctx, v.session);
  const spec = await startTask(ctx, config, {
    title: v.title,
    model,
    plan,
    cwd: v.cwd ?? ctx.cwd,
    tier: v.tier as Tier | undefined,
    timeoutMs,
    stallMs,
    session,
    worktree: v.worktree,
    rules: flags,
    runner: v.runner,
  });
  if (v.json) {
    ctx.stdout(
      JSON.stringify({
        id: spec.id,
        state: "running",
        model: spec.model,
        backend: spec.backend,
        tier: spec.tier,
        cwd: spec.cwd,
        worktree: spec.worktree ?? null,
        plan: taskPaths(ctx.home, spec.id).plan,
        session: spec.session ?? null,
        runner: spec.runner?.name ?? "local",
      }) + "\n",
    );
  } else {
    ctx.stdout(startLine(ctx.home, spec) + "\n");
  }
  return 0;
}
