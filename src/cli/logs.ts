/**
 * `dispatch logs`: the tail of a worker's output, for a terminal: each line
 * under a gutter, its controls made visible, long lines capped (`quote.ts`).
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { assertTaskId, taskPaths } from "../store/paths.ts";
import { readSpec } from "../store/tasks.ts";
import { logTail } from "../runtime/view.ts";
import { gutterLines } from "../render/quote.ts";
import { onePositional, parseFlags } from "./args.ts";

const HELP = `Usage: dispatch logs TASK [-n N]

Prints the last N lines (default 40) of the worker's output, and the log's path. Each
line starts with '│ '; control characters are shown (ESC as ^[, CR as ^M), lines over
4,000 characters cut. The log itself is unchanged.
`;

/** Runs `dispatch logs`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, { n: { type: "string", short: "n" } }, HELP);
  if (!parsed) return 0;
  const id = assertTaskId(onePositional(parsed.positionals, "TASK", "dispatch logs TASK [-n N]"));
  const n = parsed.values.n !== undefined ? Number(parsed.values.n) : 40;
  if (!Number.isInteger(n) || n < 0) {
    throw new UsageError(`Invalid -n: '${parsed.values.n}' (a whole number)`);
  }
  readSpec(ctx.home, id);
  const lines = await logTail(ctx, id, n);
  if (lines.length > 0) ctx.stdout(gutterLines(lines).join("\n") + "\n");
  ctx.stderr(`(log: ${taskPaths(ctx.home, id).log})\n`);
  return 0;
}
