/**
 * The dispatch playbook (skills/dispatch/SKILL.md) reaches a host session
 * once: the UserPromptExpansion hook of the first `/dispatch` in a session
 * adds it as context, and later `/dispatch` calls find it in the
 * conversation. A marker beside the session's record says it was given;
 * compaction drops it from the conversation, so SessionStart (compact)
 * forgets the marker and the next `/dispatch` gives it again.
 * @module
 */
import type { Ctx } from "../context.ts";
import { createExclusive, ensureDir } from "../store/fsx.ts";
import { homePaths, sessionPath } from "../store/paths.ts";

/** The playbook's first line, which the command text and the tests look for. */
export const PLAYBOOK_HEADING = "# dispatch: you orchestrate, workers work";

const marker = (ctx: Ctx, session: string) => sessionPath(ctx.home, session).replace(/\.json$/, ".playbook");

/** The plugin folder: Claude Code's variable, else the launcher's parent. */
function pluginRoot(ctx: Ctx): string {
  return ctx.env.CLAUDE_PLUGIN_ROOT || ctx.bin.replace(/\/bin\/[^/]+$/, "");
}

/**
 * The playbook, without its frontmatter, when `command` is `/dispatch` and
 * this session has not been given it yet; undefined otherwise.
 */
export async function playbookOnce(ctx: Ctx, session: string, command: unknown): Promise<string | undefined> {
  if (command !== "dispatch:dispatch" && command !== "dispatch") return undefined;
  const text = await Deno.readTextFile(`${pluginRoot(ctx)}/skills/dispatch/SKILL.md`).catch(() => undefined);
  const at = text?.indexOf(PLAYBOOK_HEADING) ?? -1;
  if (at < 0) return undefined; // the command text then says to read the file
  await ensureDir(homePaths(ctx.home).sessions);
  if (!await createExclusive(marker(ctx, session), `${ctx.now()}\n`)) return undefined;
  return text!.slice(at).trimEnd();
}

/** Forgets that `session` was given the playbook (its conversation was compacted or cleared). */
export async function forgetPlaybook(ctx: Ctx, session: string): Promise<void> {
  await Deno.remove(marker(ctx, session)).catch(() => {});
}
