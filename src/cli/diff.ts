/**
 * `dispatch diff`: a worktree task's changes against the commit it started
 * from. The patch is printed as git makes it, for the user's review; with
 * `--json` only counts and paths, as data.
 * @module
 */
import type { Ctx } from "../context.ts";
import { assertTaskId } from "../store/paths.ts";
import { readSpec } from "../store/tasks.ts";
import { branchChanges, diffText } from "../runtime/diff.ts";
import { safeJson } from "../render/quote.ts";
import { onePositional, parseFlags } from "./args.ts";

const HELP = `Usage: dispatch diff TASK [--stat] [--json]

Shows what a worktree task changed: its branch dispatch/<id> against the commit it
started from (committed work; the worker's leftovers are committed when it ends).

Options:
  --stat   The summary per file instead of the patch
  --json   {"version":1,"task","branch","base","commits","added","removed","files":[{path,added,removed}]}
`;

/** Runs `dispatch diff`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, { stat: { type: "boolean" }, json: { type: "boolean" } }, HELP);
  if (!parsed) return 0;
  const id = assertTaskId(onePositional(parsed.positionals, "TASK", "dispatch diff TASK [--stat]"));
  const spec = readSpec(ctx.home, id);
  if (parsed.values.json) {
    const c = await branchChanges(spec);
    ctx.stdout(safeJson({ version: 1, task: id, ...c }, 2) + "\n");
    return 0;
  }
  const text = await diffText(spec, parsed.values.stat ?? false);
  ctx.stdout(text === "" ? `No changes on ${spec.worktree!.branch} yet.\n` : text);
  return 0;
}
