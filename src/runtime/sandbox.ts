/**
 * Which OS sandbox a run gets: the CLI's own (codex), dispatch's
 * bubblewrap confinement (CLIs whose tier asks for it, see
 * `TierFlags.confine`), or none (`full`, a custom command, or no bubblewrap
 * on the machine: then only the CLI's own rules hold, and status says so).
 * @module
 */
import type { LaunchSpec } from "../backends/types.ts";
import type { TaskSpec } from "../store/tasks.ts";
import { taskPaths } from "../store/paths.ts";
import { confinedArgv, ensureStateDirs, findBwrap } from "../proc/confine.ts";
import { guardedPaths } from "./guard.ts";

/** How a run is sandboxed, as `status --json` reports it. */
export type Sandbox = "bwrap" | "none";

/** The argv that starts `launch` for `spec`, confined when its tier asks, and which sandbox that is. */
export function sandboxedArgv(
  home: string,
  spec: TaskSpec,
  launch: LaunchSpec,
  env: Record<string, string>,
): { argv: string[]; sandbox: Sandbox } {
  if (!launch.confine) return { argv: launch.argv, sandbox: "none" };
  const bwrap = findBwrap(env);
  if (!bwrap) return { argv: launch.argv, sandbox: "none" };
  const paths = taskPaths(home, spec.id);
  const project = spec.tier === "edit"
    ? spec.worktree ? [spec.worktree.path, `${spec.project}/.git`] : [spec.project, spec.cwd]
    : [];
  const guarded = project.length > 0 ? guardedPaths(spec) : [];
  const plan = { protect: [home], writable: [paths.work, ...project], guarded, state: launch.confine };
  ensureStateDirs(plan, env);
  return { argv: confinedArgv(bwrap, plan, env, launch.argv), sandbox: "bwrap" };
}
