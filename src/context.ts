/**
 * The explicit context every command core takes, so tests can inject a
 * temporary home, a fake clock and captured output. Only `main.ts` builds
 * the real one.
 * @module
 */

/** The world a command runs in. */
export interface Ctx {
  /** `$DISPATCH_HOME`: where config, tasks and the journal live. */
  home: string;
  /** The directory the command was run from. */
  cwd: string;
  /** The environment, as a plain snapshot. */
  env: Record<string, string>;
  /** Milliseconds since the epoch. */
  now(): number;
  /** Writes to standard output (no newline added). */
  stdout(text: string): void;
  /** Writes to standard error (no newline added). */
  stderr(text: string): void;
  /** Reads all of standard input ("" when it is a terminal or closed). */
  stdin(): Promise<string>;
  /** The argv that runs this helper again (for detached supervisors). */
  self: string[];
  /** Absolute path of `bin/dispatch`, which workers call by name. */
  bin: string;
}

/** Writes one line to standard output. */
export function println(ctx: Ctx, text = ""): void {
  ctx.stdout(text + "\n");
}
