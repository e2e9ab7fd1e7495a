/**
 * `dispatch result`: a worker's summary and where its files are. output.md
 * is the worker's text: read only when it is a regular file (a link the
 * worker planted is not followed), only its first {@linkcode SUMMARY_CAP}
 * bytes, and shown under a gutter with its controls made visible.
 * @module
 */
import type { Ctx } from "../context.ts";
import { assertTaskId, taskPaths } from "../store/paths.ts";
import { loadView } from "../runtime/view.ts";
import { readAtMost } from "../store/fsx.ts";
import { guttered, inline, REASON_CAP, thousands } from "../render/quote.ts";
import { onePositional, parseFlags } from "./args.ts";

const HELP = `Usage: dispatch result TASK

Prints the task's state, the worker's summary (output.md) and the paths of its plan,
summary and log. The summary's lines start with '│ ', its control characters are shown
(ESC as ^[), and only its first 64 KiB are printed.
`;

/** The most of output.md printed: a summary, not a data dump; the file has the rest. */
export const SUMMARY_CAP = 64 * 1024;

/** The summary's lines, or one line in parentheses saying why there are none. */
async function summaryLines(path: string): Promise<string[]> {
  let seen: Deno.FileInfo;
  try {
    seen = await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return ["(no summary written yet)"];
    throw e;
  }
  if (seen.isSymlink) {
    return [`(output.md is a symlink: not followed; the worker's summary belongs in ${path})`];
  }
  if (!seen.isFile) return [`(output.md is not a regular file: not read; ${path})`];
  using file = await Deno.open(path, { read: true });
  const info = await file.stat();
  if (!info.isFile || info.ino !== seen.ino || info.dev !== seen.dev) {
    return [`(output.md was replaced while being opened: not read; ${path})`];
  }
  const bytes = await readAtMost(file, SUMMARY_CAP);
  const lines = guttered(new TextDecoder().decode(bytes).trimEnd());
  if (info.size > bytes.length) {
    lines.push(
      `(the first ${thousands(bytes.length)} of ${thousands(info.size)} bytes; the whole summary: ${path})`,
    );
  }
  return lines;
}

/** Runs `dispatch result`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, {}, HELP);
  if (!parsed) return 0;
  const id = assertTaskId(onePositional(parsed.positionals, "TASK", "dispatch result TASK"));
  const view = await loadView(ctx, id);
  const paths = taskPaths(ctx.home, id);
  const reason = view.state.reason ? ` (${inline(view.state.reason, REASON_CAP)})` : "";
  ctx.stdout(`${id}: ${view.shown}${reason}, ${view.progress.done}/${view.progress.total} items\n`);
  ctx.stdout((await summaryLines(paths.output)).join("\n") + "\n");
  ctx.stdout(`plan: ${paths.plan}\nsummary: ${paths.output}\nlog: ${paths.log}\n`);
  return 0;
}
