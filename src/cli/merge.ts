/**
 * `dispatch merge`: finished worktree tasks into the branch checked out in
 * their project, one after the other, each refused (with what to do next)
 * rather than half-done.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { assertTaskId } from "../store/paths.ts";
import { mergeTask } from "../runtime/merge.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch merge TASK... [--check CMD] [--squash]

Merges each worktree task's branch dispatch/<id>, in order, into the branch checked out
in its project. Each merge is made in a scratch place first: a conflict is refused with
the files named, and a merge that would change files you have modified or not committed
is refused too; your branch and checkout are then unchanged. Merges into one repository
run one at a time. A merged task's worktree and branch go with 'dispatch gc'.

Options:
  --check CMD   Run CMD (e.g. 'npm test') in a temporary worktree of the merged tree;
                the merge happens only if it passes
  --squash      One commit on your branch instead of a merge commit
`;

/** Runs `dispatch merge`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(
    ctx,
    args,
    { check: { type: "string" }, squash: { type: "boolean" } },
    HELP,
  );
  if (!parsed) return 0;
  const ids = parsed.positionals.map(assertTaskId);
  if (ids.length === 0) {
    throw new UsageError("Missing TASK (usage: dispatch merge TASK... [--check CMD] [--squash])");
  }
  const check = parsed.values.check;
  if (check !== undefined && (check.trim() === "" || /[\n\r\0]/.test(check))) {
    throw new UsageError("Invalid --check: give one line of shell command");
  }
  let refused = 0;
  for (const id of ids) {
    const outcome = await mergeTask(
      ctx,
      id,
      { ...(check ? { check } : {}), squash: parsed.values.squash ?? false },
      (line) => ctx.stdout(`${line}\n`),
    );
    ctx.stdout(`${outcome.line}\n`);
    if (!outcome.merged) {
      refused++;
      if (outcome.next) ctx.stdout(`  Next: ${outcome.next}\n`);
    }
  }
  return refused > 0 ? 1 : 0;
}
