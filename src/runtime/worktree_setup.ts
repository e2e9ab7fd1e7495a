/**
 * Getting a new worktree ready before its worker starts: the ignored files
 * `.worktreeinclude` lists are copied in, then the setup command (e.g.
 * `npm ci`) from `worktree.setup` in config.yaml or the project's
 * `.dispatch.yaml` (the project's wins) runs there under a time limit, its
 * output in the task's worker.log. A command that a project file chose is
 * repository content, so where bubblewrap is found it runs confined: only
 * the worktree, /tmp and the package caches writable, never `$DISPATCH_HOME`
 * or the user's checkout.
 * @module
 */
import type { Ctx } from "../context.ts";
import type { Config } from "../config/schema.ts";
import { configDurationMs, formatDuration } from "../duration.ts";
import { openAppend } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import type { TaskSpec, WorktreeSpec } from "../store/tasks.ts";
import { confinedArgv, ensureStateDirs, findBwrap } from "../proc/confine.ts";
import { killTree } from "../proc/kill_tree.ts";
import { spawnDetachedChild } from "../proc/spawn.ts";
import { copyIncluded } from "./worktree_include.ts";

/** How long a setup command may run unless configured. */
export const DEFAULT_SETUP_TIMEOUT_MS = 10 * 60_000;

/** The `worktree` section of config.yaml or of a project file. */
export interface WorktreeSection {
  setup?: string;
  timeout?: string | number;
}

/** The setup a new worktree gets: the project file's command over config.yaml's; undefined for none. */
export function resolveSetup(
  config: Pick<Config, "worktree">,
  project: WorktreeSection | undefined,
  projectFile: string,
): WorktreeSpec["setup"] {
  const fromProject = project?.setup !== undefined;
  const command = project?.setup ?? config.worktree?.setup;
  if (command === undefined) return undefined;
  const timeout = (fromProject ? project?.timeout : undefined) ?? config.worktree?.timeout;
  const timeoutMs = timeout === undefined ? DEFAULT_SETUP_TIMEOUT_MS : configDurationMs(timeout)!;
  return { command, timeoutMs, from: fromProject ? projectFile : "config.yaml" };
}

async function logLine(path: string, text: string): Promise<void> {
  using file = await openAppend(path);
  await file.write(new TextEncoder().encode(`dispatch: ${text}\n`));
}

/** The argv that runs a setup command: confined when a project file chose it and bubblewrap is there. */
function setupArgv(ctx: Ctx, spec: TaskSpec, command: string, fromProject: boolean): string[] {
  const argv = ["sh", "-c", command];
  const bwrap = fromProject ? findBwrap(ctx.env) : undefined;
  if (!bwrap) return argv;
  const plan = {
    protect: [ctx.home, spec.project], // read-only even where they lie inside /tmp
    writable: [spec.worktree!.path],
    state: [{ under: "HOME" as const, path: ".npm" }, { under: "XDG_CACHE_HOME" as const, path: "." }],
  };
  ensureStateDirs(plan, ctx.env);
  return confinedArgv(bwrap, plan, ctx.env, argv);
}

const SETUP_WRAPPER = 'exec </dev/null >>"$1" 2>&1; shift; exec "$@"';

/** Runs the setup command; resolves with why it failed, or undefined. */
async function runSetup(ctx: Ctx, spec: TaskSpec, setup: NonNullable<WorktreeSpec["setup"]>) {
  const log = taskPaths(ctx.home, spec.id).log;
  const fromProject = setup.from !== "config.yaml";
  await logLine(log, `worktree setup (from ${setup.from}): ${setup.command}`);
  // The log is opened out here: a confined command may not write $DISPATCH_HOME.
  const argv = [
    "sh",
    "-c",
    SETUP_WRAPPER,
    "dispatch-setup",
    log,
    ...setupArgv(ctx, spec, setup.command, fromProject),
  ];
  const child = spawnDetachedChild(argv, {
    cwd: spec.worktree!.path,
    env: { ...ctx.env, DISPATCH_HOME: ctx.home, DISPATCH_TASK: spec.id },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killTree({ pid: child.pid, task: spec.id, home: ctx.home }, 1000).catch(() => {});
  }, setup.timeoutMs);
  const status = await child.status;
  clearTimeout(timer);
  if (timedOut) {
    return `Worktree setup failed: '${setup.command}' timed out after ${formatDuration(setup.timeoutMs)}`;
  }
  if (status.success) return undefined;
  return `Worktree setup failed: '${setup.command}' exited ${
    status.signal ? `on ${status.signal}` : status.code
  }`;
}

/**
 * Copies the included files into `spec`'s new worktree and runs its setup
 * command, reporting both in its log. Resolves with why the task must fail,
 * or undefined when the worker may start.
 */
export async function prepareWorktree(ctx: Ctx, spec: TaskSpec): Promise<string | undefined> {
  if (!spec.worktree) return undefined;
  const log = taskPaths(ctx.home, spec.id).log;
  const included = await copyIncluded({ home: ctx.home, id: spec.id }, spec.project, spec.worktree.path);
  if (included.copied.length > 0) {
    await logLine(log, `copied into the worktree (.worktreeinclude): ${included.copied.join(", ")}`);
  }
  for (const skip of included.skipped) await logLine(log, `not copied (.worktreeinclude): ${skip}`);
  return spec.worktree.setup ? await runSetup(ctx, spec, spec.worktree.setup) : undefined;
}
