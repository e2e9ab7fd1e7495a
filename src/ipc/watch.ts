/**
 * `dispatch watch`: block until something needs the host (a question, a
 * finished, failed or stalled task), then return one line. It keeps its own
 * cursor per session, so each event wakes the host once; events the prompt
 * hook already delivered do not wake it again.
 * @module
 */
import type { Ctx, DirWatch } from "../context.ts";
import { TimeoutError } from "../errors.ts";
import { type JournalEvent, readEventsFor } from "../store/journal.ts";
import { listTaskIds, trySpec, unfinished } from "../store/tasks.ts";
import { reconcileTask } from "../runtime/reconcile.ts";
import { liveMonitors, readSession, updateSession } from "../store/sessions.ts";
import { NOTIFY_TYPES } from "./deliver.ts";
import { EventVerifier } from "./verify.ts";

/** Options for {@linkcode watch}. */
export interface WatchOptions {
  /** Only this host session's tasks; every task when absent. */
  session?: string;
  timeoutMs?: number;
  /** How often to re-check that running workers are alive. */
  reconcileMs?: number;
  signal?: AbortSignal;
}

/** What a watch says, at once, for a session whose monitor streams every event already. */
export const MONITOR_RUNS =
  "dispatch: push is monitor here: each event arrives as a monitor line. Do not arm dispatch watch.";

/** Why the watch woke, as one line for the host. */
export function wakeLine(events: JournalEvent[]): string {
  const parts = events.map((e) => {
    switch (e.type) {
      case "question":
        return `${e.task} asked a question`;
      case "waiting":
        return `${e.task} is waiting for an answer`;
      default:
        return `${e.task} ${e.type}`;
    }
  });
  const unique = [...new Set(parts)];
  return `dispatch: ${unique.join("; ")}. Details arrive with this turn (or run: dispatch status).`;
}

async function unfinishedTasks(home: string, session?: string): Promise<string[]> {
  if (session) {
    const active = (await readSession(home, session)).active ?? [];
    if (active.length > 0) return active;
  }
  const mine = (await listTaskIds(home)).filter((id) => {
    const spec = trySpec(home, id);
    return spec !== undefined && (!session || spec.session === session);
  });
  return unfinished(home, mine);
}

/** A watch on the home folder that wakes for journal writes, polling every `reconcileMs` (100 ms blind). */
export function watchJournal(ctx: Ctx, reconcileMs: number): DirWatch {
  return ctx.watchDir(ctx.home, {
    match: (p) => p.endsWith("/journal.jsonl"),
    pollMs: reconcileMs,
    blindPollMs: Math.min(reconcileMs, 100),
  });
}

/**
 * Resolves with the wake line once an event needs the host. Rejects with
 * TimeoutError after `timeoutMs`. Resolves at once with a notice when there
 * is nothing left to watch.
 */
export async function watch(ctx: Ctx, opts: WatchOptions = {}): Promise<string> {
  const home = ctx.home;
  const session = opts.session;
  const record = session ? await readSession(home, session) : {};
  if (liveMonitors(record).length > 0) return MONITOR_RUNS;
  let cursor = Math.max(record.watch ?? 0, record.hook ?? 0);
  const deadline = opts.timeoutMs === undefined ? Infinity : ctx.monotonic() + opts.timeoutMs;
  const reconcileMs = opts.reconcileMs ?? 2000;
  await using wake = watchJournal(ctx, reconcileMs);
  let lastReconcile = -Infinity;
  while (true) {
    const { entries, end } = await readEventsFor(home, { session }, cursor);
    // Only what the tasks' own state bears out wakes the host (a forged "done" does not).
    const verifier = new EventVerifier(home);
    const wanted = entries.filter((e) => NOTIFY_TYPES.has(e.event.type) && verifier.verified(e.event));
    if (wanted.length > 0) {
      const upTo = wanted.at(-1)!.end;
      if (session) {
        await updateSession(home, session, (r) => ({ ...r, watch: Math.max(r.watch ?? 0, upTo) }));
      }
      return wakeLine(wanted.map((e) => e.event));
    }
    cursor = end;
    if (ctx.monotonic() - lastReconcile >= reconcileMs) {
      lastReconcile = ctx.monotonic();
      const ids = await unfinishedTasks(home, session);
      if (ids.length === 0) {
        const again = await readEventsFor(home, { session }, cursor);
        const verifier = new EventVerifier(home);
        if (!again.entries.some((e) => NOTIFY_TYPES.has(e.event.type) && verifier.verified(e.event))) {
          return "dispatch: no running tasks to watch.";
        }
        continue;
      }
      for (const id of ids) await reconcileTask(ctx, id).catch(() => undefined);
    }
    if (opts.signal?.aborted) throw new TimeoutError("Watch aborted");
    const left = deadline - ctx.monotonic();
    if (left <= 0) {
      throw new TimeoutError("Nothing needed the host before the watch timed out; run it again");
    }
    await wake.wait(Math.min(left, reconcileMs), opts.signal);
  }
}
