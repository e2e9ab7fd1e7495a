/**
 * Shared by the fault tests: run a command in process on a test ctx, and
 * check that a failure is one line with no stack.
 * @module
 */
import assert from "node:assert/strict";
import { main } from "../../src/main.ts";
import type { TestCtx } from "../fake_ctx.ts";

/** Runs `dispatch ARGV` in process; resolves with its exit code and what it printed. */
export async function cmd(ctx: TestCtx, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  ctx.out.length = 0;
  ctx.err.length = 0;
  const code = await main(ctx, argv);
  return { code, out: ctx.out.join(""), err: ctx.err.join("") };
}

/** One line on stderr, starting `dispatch: `, with no stack frame. */
export function assertOneLine(err: string, what: string): void {
  assert.match(err, /^dispatch: [^\n]+\n$/, `${what}: ${JSON.stringify(err)}`);
  assert.doesNotMatch(err, /\bat .*:\d+:\d+/, `${what}: no stack trace`);
}
