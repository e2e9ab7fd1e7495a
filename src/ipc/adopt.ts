/**
 * SessionStart: a new, resumed or cleared host session takes over its
 * project's tasks whose own session is gone (ended, or its Claude Code died),
 * and is told their open questions and unreported results.
 * @module
 */
import { journalEnd, readEventsFor } from "../store/journal.ts";
import { listTaskIds, readSpec, TERMINAL, trySpec, withTaskLock, writeSpec } from "../store/tasks.ts";
import { reconcileTask } from "../runtime/reconcile.ts";
import { projectOf } from "../store/project.ts";
import { answerCommand, NOTIFY_TYPES } from "../render/notices.ts";
import { hostProcess, readSession, sessionGone, type SessionRecord, withSession } from "./sessions.ts";
import { openQuestions } from "./questions.ts";
import { composeContext, notices } from "./deliver.ts";

/**
 * Hands this session the project's tasks whose own session is
 * gone, telling it their open questions and unreported results.
 */
export function sessionStartContext(
  home: string,
  session: string,
  cwd: string,
  env: Record<string, string>,
): Promise<string | undefined> {
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
      const state = await reconcileTask(home, id).catch(() => undefined);
      const open = openQuestions(home, id);
      const owner = spec.session ? owners.get(spec.session)! : {};
      const { entries } = await readEventsFor(home, { task: id }, owner.hook ?? 0);
      const unreported = entries.map((e) => e.event).filter((e) =>
        e.type !== "question" && NOTIFY_TYPES.has(e.type)
      );
      if (open.length === 0 && unreported.length === 0 && state && TERMINAL.has(state.state)) continue;
      for (const q of open) {
        questions.push(
          `? ${id} asks (question ${q.n}): ${JSON.stringify(q.text)}\n  Reply with: ${
            answerCommand(id, q.n)
          }`,
        );
      }
      others.push(...(notices(home, unreported)).others);
      await withTaskLock(home, id, async () => {
        const fresh = readSpec(home, id);
        await writeSpec(home, { ...fresh, session });
      });
      if (state && !TERMINAL.has(state.state)) adopted.push(id);
    }
    const end = record.hook ?? await journalEnd(home);
    const next: SessionRecord = {
      ...record,
      ...hostProcess(env),
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
