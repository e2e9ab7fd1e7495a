/**
 * SessionStart: a new, resumed or cleared host session takes over its
 * project's tasks whose own session is gone (ended, or its Claude Code died),
 * and is told their open questions and unreported results.
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
    const context = composeContext(questions, others);
    return [
      next,
      context && adopted.length > 0 ? `${context}\n(This session now owns: ${adopted.join(", ")})` : context,
    ];
  });
}
