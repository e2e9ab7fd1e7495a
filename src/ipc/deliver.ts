/**
 * What the hooks tell the host: this session's undelivered events as short
 * notices, questions first, each delivered once (the read and the cursor
 * move happen under the session's lock, and the monitor moves the same
 * cursor: `stream.ts`), never more than fits in Claude Code's
 * 10,000-character context limit.
 * @module
 */
import type { Ctx } from "../context.ts";
import { type JournalEvent, readEventsFor } from "../store/journal.ts";
import { TERMINAL, trySpec } from "../store/tasks.ts";
import { noticeFor } from "../render/notices.ts";
import {
  hostProcess,
  liveClaim,
  liveMonitors,
  pendingOf,
  type SessionRecord,
  toldUpTo,
  withSession,
} from "../store/sessions.ts";
import { pushLine } from "./push.ts";
import { EventVerifier } from "./verify.ts";

/** Event types that wake `dispatch watch` and reach the host through hooks: the delivery policy. */
export const NOTIFY_TYPES: ReadonlySet<string> = new Set([
  "question",
  "done",
  "failed",
  "stalled",
  "waiting",
]);

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

function createdOf(home: string, id: string, cache: Map<string, number | undefined>) {
  if (!cache.has(id)) cache.set(id, trySpec(home, id)?.created);
  return cache.get(id);
}

/** Renders events as notices, split into questions and the rest; events their task's state does not bear out are dropped. */
export function notices(
  ctx: Pick<Ctx, "home">,
  events: JournalEvent[],
): { questions: string[]; others: string[] } {
  const home = ctx.home;
  const created = new Map<string, number | undefined>();
  const questions: string[] = [];
  const others: string[] = [];
  const verifier = new EventVerifier(home);
  for (const e of events) {
    if (!NOTIFY_TYPES.has(e.type) || !verifier.verified(e)) continue;
    const text = noticeFor(home, e, createdOf(home, e.task, created));
    if (text) (e.type === "question" ? questions : others).push(text);
  }
  return { questions, others };
}

/**
 * UserPromptSubmit: the session's undelivered notices, or undefined when
 * there is nothing new. Also reconciles the session's active tasks, so a
 * worker that died with its supervisor is reported too.
 */
export function promptContext(ctx: Ctx, session: string): Promise<string | undefined> {
  const home = ctx.home;
  return withSession(home, session, async (record) => {
    const stillActive: string[] = [];
    if ((record.active ?? []).length > 0) {
      // Loaded only when there is something to check: most prompts have no running task.
      const { reconcileTask } = await import("../runtime/reconcile.ts");
      for (const id of record.active ?? []) {
        const state = await reconcileTask(ctx, id).catch(() => undefined);
        if (state && !TERMINAL.has(state.state)) stillActive.push(id);
      }
    }
    // Past what a live monitor is printing; a dead monitor's batch is told again.
    const { entries, end } = await readEventsFor(home, { session }, toldUpTo(record));
    const { questions, others } = notices(ctx, entries.map((e) => e.event));
    const next: SessionRecord = { ...record, ...hostProcess(ctx.env), hook: end, active: stillActive };
    delete next.pending; // handed over at SessionStart; no monitor printed them first
    if (!liveClaim(record)) delete next.claim;
    const context = composeContext([...pendingOf(record), ...questions], others);
    if (record.push === "monitor" && stillActive.length > 0 && liveMonitors(record).length === 0) {
      // Told "push: monitor", but none runs (never started, or died): from now on the watch carries it.
      next.push = "watch";
      const fallback = `${pushLine("watch")} (no monitor runs: arm dispatch watch)`;
      return [next, context ? `${context}\n${fallback}` : fallback];
    }
    return [next, context];
  });
}
