/**
 * SessionStart: a new, resumed or cleared host session takes over its
 * project's tasks whose own session is gone (ended, or its Claude Code died),
 * and is told their open questions and unreported results, and its push
 * (`push.ts`). With push `monitor` those notices wait in the session record
 * for the monitor to print at once (or the first prompt, whichever comes
 * first); with `watch` they ride in this hook's context.
 * @module
 */
import type { Ctx } from "../context.ts";
import { journalEnd, readEventsFor } from "../store/journal.ts";
import { listTaskIds, readSpec, TERMINAL, trySpec, withTaskLock, writeSpec } from "../store/tasks.ts";
import { reconcileTask } from "../runtime/reconcile.ts";
import { projectOf } from "../store/project.ts";
import { questionNotice } from "../render/notices.ts";
import { hostProcess, readSession, sessionGone, type SessionRecord, withSession } from "../store/sessions.ts";
import { openQuestions } from "../store/questions.ts";
import { composeContext, notices, NOTIFY_TYPES } from "./deliver.ts";
import { pushFor, pushLine } from "./push.ts";

/** Most handed-over notices kept for the monitor; the rest are counted. */
const PENDING_CAP = 50;

/** `notices` appended to `earlier`, at most {@linkcode PENDING_CAP}, the overflow named in the last one. */
export function capPending(earlier: string[], notices: string[]): string[] {
  const all = [...earlier, ...notices];
  if (all.length <= PENDING_CAP) return all;
  const more = all.length - (PENDING_CAP - 1);
  return [...all.slice(0, PENDING_CAP - 1), `(+${more} more updates not shown: run 'dispatch status')`];
}

/**
 * Hands this session the project's tasks whose own session is
 * gone, telling it their open questions and unreported results.
 */
export function sessionStartContext(ctx: Ctx, session: string, cwd: string): Promise<string | undefined> {
  const home = ctx.home;
  return withSession(home, session, async (record) => {
    const project = await projectOf(cwd);
    const adopted: string[] = [];
    const questions: string[] = [];
    const others: string[] = [];
    const owners = new Map<string, SessionRecord>();
    for (const id of await listTaskIds(home)) {
      const spec = trySpec(home, id);
      if (!spec || spec.session === session || spec.project !== project) continue;
      if (spec.session) {
        if (!owners.has(spec.session)) owners.set(spec.session, await readSession(home, spec.session));
        if (!sessionGone(owners.get(spec.session)!)) continue;
      }
      const state = await reconcileTask(ctx, id).catch(() => undefined);
      const open = openQuestions(home, id);
      const owner = spec.session ? owners.get(spec.session)! : {};
      const { entries } = await readEventsFor(home, { task: id }, owner.hook ?? 0);
      const unreported = entries.map((e) => e.event).filter((e) =>
        e.type !== "question" && NOTIFY_TYPES.has(e.type)
      );
      if (open.length === 0 && unreported.length === 0 && state && TERMINAL.has(state.state)) continue;
      for (const q of open) questions.push(questionNotice(id, q.n, q.text));
      others.push(...(notices(ctx, unreported)).others);
      await withTaskLock(home, id, async () => {
        const fresh = readSpec(home, id);
        await writeSpec(home, { ...fresh, session });
      });
      if (state && !TERMINAL.has(state.state)) adopted.push(id);
    }
    const end = record.hook ?? await journalEnd(home);
    const next: SessionRecord = {
      ...record,
      ...hostProcess(ctx.env),
      project,
      hook: end,
      active: [...new Set([...(record.active ?? []), ...adopted])],
    };
    delete next.ended;
    const push = pushFor(ctx.env, record);
    next.push = push;
    let told: string | undefined;
    if (push === "monitor") {
      const handed = capPending(record.pending ?? [], [...questions, ...others]);
      if (handed.length > 0) next.pending = handed;
    } else {
      told = composeContext(questions, others);
    }
    const owns = adopted.length > 0 ? `(This session now owns: ${adopted.join(", ")})` : undefined;
    return [next, [pushLine(push), told, owns].filter((t) => t !== undefined).join("\n")];
  });
}
