/**
 * `dispatch hook <Event>`: called by Claude Code's hooks with the event JSON
 * on stdin. Prints the context to inject, or nothing. It never breaks the
 * user's prompt: any internal error is logged under $DISPATCH_HOME and the
 * hook exits 0 with no output.
 * @module
 */
import type { Ctx } from "../context.ts";
import { homePaths } from "../store/paths.ts";
import { ensureDir, exists } from "../store/fsx.ts";
import { promptContext } from "../ipc/deliver.ts";
import { updateSession } from "../store/sessions.ts";
import type { PreToolUseInput } from "../ipc/approve.ts";
import { insideWorker } from "../ipc/caller.ts";

const HELP = `Usage: dispatch hook UserPromptSubmit|UserPromptExpansion|SessionStart|SessionEnd|PreToolUse

For Claude Code's hooks (hooks/hooks.json). Reads the hook's JSON on stdin and prints
{"hookSpecificOutput": {"hookEventName": ..., "additionalContext": ...}} when there is news
for that session: open questions first, then results. Prints nothing otherwise.
`;

interface HookInput extends PreToolUseInput {
  "session_id"?: string;
  cwd?: string;
  source?: string;
  "command_name"?: string;
}

/** Runs a hook. Always exits 0. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const event = args[0];
  if (event === "--help" || event === "-h" || event === undefined) {
    ctx.stdout(HELP);
    return event === undefined ? 2 : 0;
  }
  try {
    const raw = await ctx.stdin();
    const input = (raw.trim() === "" ? {} : JSON.parse(raw)) as HookInput;
    const session = input.session_id;
    if (!session) return 0;
    // Inside a worker (its own environment or any ancestor's names a task; a worker inherits the host's
    // session id) a hook is no host's: it consumes nothing, adopts nothing, prints nothing.
    if (insideWorker(ctx.env)) return 0;
    let context: string | undefined;
    if (event === "PreToolUse") {
      const { preToolUseDecision, systemSurroundings } = await import("../ipc/approve.ts");
      ctx.stdout(preToolUseDecision(input, systemSurroundings(ctx.env, ctx.bin)) ?? "");
    } else if (event === "UserPromptExpansion") {
      const { playbookOnce } = await import("./hook_playbook.ts");
      context = await playbookOnce(ctx, session, input.command_name);
    } else if (event === "UserPromptSubmit") {
      if (!await exists(homePaths(ctx.home).journal)) return 0; // never dispatched: nothing to say, nothing to create
      context = await promptContext(ctx, session);
    } else if (event === "SessionStart") {
      await ensureDir(ctx.home);
      if (input.source === "compact" || input.source === "clear") {
        await (await import("./hook_playbook.ts")).forgetPlaybook(ctx, session);
      }
      const { sessionStartContext } = await import("../ipc/adopt.ts");
      context = await sessionStartContext(ctx, session, input.cwd ?? ctx.cwd);
    } else if (event === "SessionEnd") {
      await updateSession(ctx.home, session, (r) => ({ ...r, ended: ctx.now() }));
    } else {
      throw new Error(`Unknown hook event: ${event}`);
    }
    if (context) {
      ctx.stdout(
        JSON.stringify({ hookSpecificOutput: { hookEventName: event, additionalContext: context } }) + "\n",
      );
    }
  } catch (e) {
    await logHookError(ctx, event, e);
  }
  return 0;
}

async function logHookError(ctx: Ctx, event: string, e: unknown): Promise<void> {
  try {
    await ensureDir(ctx.home);
    const line = `${new Date(ctx.now()).toISOString()} hook ${event}: ${
      e instanceof Error ? e.stack ?? e.message : String(e)
    }\n`;
    await Deno.writeTextFile(homePaths(ctx.home).errors, line, { append: true, mode: 0o600 });
  } catch {
    // nowhere left to report; the prompt must go on regardless
  }
}
