/**
 * Starting a process that outlives us: its own session and process group,
 * no inherited stdio, not awaited.
 * @module
 */

/** Where and with what a detached process starts: exactly `env` (nothing inherited), in `cwd`. */
export interface DetachedOptions {
  env: Record<string, string>;
  cwd?: string;
}

/** Spawns `argv` in its own session and process group, no stdio; the caller may await its status. */
export function spawnDetachedChild(argv: string[], opts: DetachedOptions): Deno.ChildProcess {
  return new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env: opts.env,
    clearEnv: true,
    cwd: opts.cwd,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
}

/** Spawns `argv` detached, not awaited, and returns its pid. */
export function spawnDetached(argv: string[], opts: DetachedOptions): number {
  const child = spawnDetachedChild(argv, opts);
  child.unref();
  return child.pid;
}
