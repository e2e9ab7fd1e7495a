/**
 * What the hooks tell the host: this session's undelivered events as short
 * notices, questions first, each delivered once (the read and the cursor
 * move happen under the session's lock), never more than fits in Claude
 * Code's 10,000-character context limit.
 * @module
 */
import { type JournalEvent, readEvents } from "../store/journal.ts";
import { withLock } from "../store/lock.ts";
import { ensureDir, writeJsonAtomic } from "../store/fsx.ts";
import { homePaths, sessionPath } from "../store/paths.ts";
import { listTaskIds, readSpec, TERMINAL, withTaskLock, writeSpec } from "../store/tasks.ts";
import { reconcileTask } from "../runtime/reconcile.ts";
import { projectOf } from "../store/project.ts";
import { answerCommand, noticeFor, NOTIFY_TYPES } from "../render/notices.ts";
import { hostProcess, readSession, sessionGone, type SessionRecord } from "./sessions.ts";
import { openQuestions } from "./questions.ts";
import { readJsonOrUndefined } from "../store/fsx.ts";

/** Claude Code replaces larger hook output with a file path; stay well under. */
export const CONTEXT_LIMIT = 9_500;
const HEADER = "dispatch (background workers):";

/** Joins notices into one context block within the limit, questions first. */
export function composeContext(
  questions: string[],
  others: string[],
  limit = CONTEXT_LIMIT,
): string | undefined {
  if (questions.length === 0 && others.length === 0) return undefined;
  const out = [HEADER];
  let size = HEADER.length;
  let dropped = 0;
  for (const notice of [...questions, ...others]) {
    const text = notice.length > 2000 ? notice.slice(0, 2000) + "…" : notice;
    if (size + text.length + 1 > limit - 120) {
      dropped++;
      continue;
    }
    out.push(text);
    size += text.length + 1;
  }
  if (dropped > 0) out.push(`(+${dropped} more updates not shown: run 'dispatch status')`);
  return out.join("\n");
}

async function createdOf(home: string, id: string, cache: Map<string, number | undefined>) {
  if (!cache.has(id)) cache.set(id, await readSpec(home, id).then((s) => s.created, () => undefined));
  return cache.get(id);
}

/** Renders events as notices, split into questions and the rest. */
async function notices(
  home: string,
  events: JournalEvent[],
): Promise<{ questions: string[]; others: string[] }> {
  const created = new Map<string, number | undefined>();
  const questions: string[] = [];
  const others: string[] = [];
  for (const e of events) {
    if (!NOTIFY_TYPES.has(e.type)) continue;
    const text = noticeFor(home, e, await createdOf(home, e.task, created));
    if (text) (e.type === "question" ? questions : others).push(text);
  }
  return { questions, others };
}

async function lockedSession<T>(
  home: string,
  session: string,
  fn: (r: SessionRecord) => Promise<[SessionRecord, T]>,
) {
  const path = sessionPath(home, session);
  await ensureDir(homePaths(home).sessions);
  return withLock(`${path}.lock`, async () => {
    const [next, result] = await fn((await readJsonOrUndefined<SessionRecord>(path)) ?? {});
    await writeJsonAtomic(path, next);
    return result;
  });
}

/**
 * UserPromptSubmit: the session's undelivered notices, or undefined when
 * there is nothing new. Also reconciles the session's active tasks, so a
 * worker that died with its supervisor is reported too.
 */
export function promptContext(
  home: string,
  session: string,
  env: Record<string, string>,
): Promise<string | undefined> {
  return lockedSession(home, session, async (record) => {
    const stillActive: string[] = [];
    for (const id of record.active ?? []) {
      const state = await reconcileTask(home, id).catch(() => undefined);
      if (state && !TERMINAL.has(state.state)) stillActive.push(id);
    }
    const needle = `"session":${JSON.stringify(session)}`;
    const { entries, end } = await readEvents(home, record.hook ?? 0, (line) => line.includes(needle));
    const { questions, others } = await notices(home, entries.map((e) => e.event));
    const next: SessionRecord = { ...record, ...hostProcess(env), hook: end, active: stillActive };
    return [next, composeContext(questions, others)];
  });
}

/**
 * SessionStart: hand this session the project's tasks whose own session is
 * gone, telling it their open questions and unreported results.
 */
export function sessionStartContext(
  home: string,
  session: string,
  cwd: string,
  env: Record<string, string>,
): Promise<string | undefined> {
  return lockedSession(home, session, async (record) => {
    const project = await projectOf(cwd);
    const adopted: string[] = [];
    const questions: string[] = [];
    const others: string[] = [];
    const owners = new Map<string, SessionRecord>();
    for (const id of await listTaskIds(home)) {
      const spec = await readSpec(home, id).catch(() => undefined);
      if (!spec || spec.session === session || spec.project !== project) continue;
      if (spec.session) {
        if (!owners.has(spec.session)) owners.set(spec.session, await readSession(home, spec.session));
        if (!sessionGone(owners.get(spec.session)!)) continue;
      }
      const state = await reconcileTask(home, id).catch(() => undefined);
      const open = await openQuestions(home, id);
      const owner = spec.session ? owners.get(spec.session)! : {};
      const needle = `"task":${JSON.stringify(id)}`;
      const { entries } = await readEvents(home, owner.hook ?? 0, (l) => l.includes(needle));
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
      others.push(...(await notices(home, unreported)).others);
      await withTaskLock(home, id, async () => {
        const fresh = await readSpec(home, id);
        await writeSpec(home, { ...fresh, session });
      });
      if (state && !TERMINAL.has(state.state)) adopted.push(id);
    }
    const { end } = record.hook === undefined ? await readEvents(home, 0, () => false) : { end: record.hook };
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
