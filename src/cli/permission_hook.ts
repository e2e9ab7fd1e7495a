/**
 * `dispatch permission-hook` (hidden): a claude worker's PreToolUse hook
 * (installed by src/backends/claude/permission_settings.ts). Reads the
 * hook's JSON on stdin, prints the decision of
 * src/runtime/permission_hook.ts, or nothing. It asks for the task whose
 * worker runs it, found as `dispatch ask` finds it. Any error prints
 * nothing, so claude's own rules decide (a refusal, never a silent allow).
 * @module
 */
import type { Ctx } from "../context.ts";
import { decideHook, type HookInput } from "../runtime/permission_hook.ts";
import { assertTaskId } from "../store/paths.ts";
import { ownTask } from "./ask.ts";

/** Runs `dispatch permission-hook`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    ctx.stdout("Usage: dispatch permission-hook (for claude workers' PreToolUse hook; JSON on stdin)\n");
    return 0;
  }
  try {
    const input = JSON.parse(await ctx.stdin()) as HookInput;
    const hint = ctx.env.DISPATCH_TASK;
    if (hint !== undefined) assertTaskId(hint);
    const task = await ownTask(ctx, hint);
    const answer = await decideHook(ctx, task, input);
    if (answer) {
      ctx.stdout(JSON.stringify({ hookSpecificOutput: { hookEventName: "PreToolUse", ...answer } }) + "\n");
    }
  } catch (e) {
    ctx.stderr(`dispatch permission-hook: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  return 0;
}
