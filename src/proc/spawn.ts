/**
 * Starting a process that outlives us: its own session and process group,
 * no inherited stdio, not awaited.
 * @module
 */

/** Spawns `argv` detached and returns its pid. */
export function spawnDetached(argv: string[], opts: { env: Record<string, string>; cwd?: string }): number {
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env: opts.env,
    clearEnv: true,
    cwd: opts.cwd,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  return child.pid;
}
