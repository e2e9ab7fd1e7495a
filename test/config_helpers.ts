/**
 * Helpers for the config, discovery, resolver and doctor tests: a context
 * with a temporary home and captured output, and fake worker CLIs (small sh
 * scripts) in a temporary PATH.
 * @module
 */
import { type Ctx, systemClock } from "../src/context.ts";
import { tempDir } from "./temp_dir.ts";

/** The pinned real CLIs (claude, codex, gemini, opencode, qwen). */
export const REAL_CLIS = new URL("./clis/node_modules/.bin", import.meta.url).pathname;

/** A context for command cores, with everything it printed; `await using` removes its home. */
export interface TestCtx extends Ctx, AsyncDisposable {
  out: string[];
  err: string[];
  cleanup(): Promise<void>;
}

/** A temporary home (and HOME) with `env` added; `path` becomes PATH (system dirs appended). */
export async function testCtx(
  opts: { env?: Record<string, string>; path?: string[] } = {},
): Promise<TestCtx> {
  const home = await Deno.makeTempDir({ prefix: "dispatch-config-test-" });
  const remove = () => Deno.remove(home, { recursive: true }).catch(() => {});
  const out: string[] = [];
  const err: string[] = [];
  const userHome = `${home}/user`;
  await Deno.mkdir(userHome);
  return {
    home,
    cwd: home,
    env: {
      HOME: userHome,
      PATH: [...(opts.path ?? []), "/usr/bin", "/bin"].join(":"),
      DISPATCH_HOME: home,
      ...opts.env,
    },
    ...systemClock(),
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stdin: () => Promise.resolve(""),
    self: [],
    bin: "/bin/false",
    out,
    err,
    cleanup: remove,
    [Symbol.asyncDispose]: remove,
  };
}

/** A folder of fake executables: name -> sh script body (after `#!/bin/sh`); `await using` removes it. */
export async function fakeClis(
  scripts: Record<string, string>,
): Promise<{ dir: string; cleanup(): Promise<void> } & AsyncDisposable> {
  const tmp = await tempDir("dispatch-fake-clis-");
  const dir = tmp.path;
  for (const [name, body] of Object.entries(scripts)) {
    await Deno.writeTextFile(`${dir}/${name}`, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  const remove = () => tmp[Symbol.asyncDispose]();
  return { dir, cleanup: remove, [Symbol.asyncDispose]: remove };
}
