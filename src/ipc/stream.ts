/**
 * `dispatch watch --stream`: the plugin monitor's core. It runs for the
 * whole host session and prints one line per event that needs the host
 * (question, done, failed, stalled, waiting), plus at start the notices
 * SessionStart handed over from an earlier session. Claude Code turns each
 * line into a notification, so nothing has to be re-armed.
 *
 * No double delivery: the monitor and the prompt hook move one cursor, the
 * session's `hook`, under the session's lock; whichever takes the lock first
 * tells an event, and the other then starts past it. Two monitors of one
 * session share it the same way. A line is printed before the cursor moves:
 * a monitor killed between the two costs at most that batch said once more
 * (by the hook or the next monitor), never a lost event. A background
 * `dispatch watch` starts from that cursor too, and stands down while a
 * monitor runs.
 * @module
 */
import type { Ctx } from "../context.ts";
import { watchJournal } from "./watch.ts";
import { journalEnd, type JournalEvent, readEventsFor } from "../store/journal.ts";
import { readState, TERMINAL, trySpec } from "../store/tasks.ts";
import { noticeFor } from "../render/notices.ts";
import {
  liveMonitors,
  readSession,
  type SessionRecord,
  updateSession,
  withSession,
} from "../store/sessions.ts";
import { reconcileTask } from "../runtime/reconcile.ts";
import { isAlive } from "../proc/procfs.ts";
import { NOTIFY_TYPES } from "./deliver.ts";
import { EventVerifier } from "./verify.ts";

/** A process, by pid and `/proc` start time. */
export interface Proc {
  pid: number;
  startTime?: string;
}

/** Options for {@linkcode stream}. */
export interface StreamOptions {
  session: string;
  /** Prints one line (the newline is the writer's); throws `Deno.errors.BrokenPipe` once no one reads. */
  write: (line: string) => void;
  /** The safety re-check: workers' liveness, the session's end, missed file events. */
  reconcileMs?: number;
  /** Stops the stream (SIGTERM, stdin closed). */
  signal?: AbortSignal;
  /** This process, noted in the session record while it streams (a background watch stands down for it). */
  self?: Proc;
  /** The host processes above this one: the stream ends when one is gone. */
  hosts?: Proc[];
  /** Told of an error in one round (a full disk, a damaged file); the stream carries on after its wait. */
  onError?: (e: unknown) => void;
}

/** Why a stream ended. */
export type StreamEnd = "ended" | "closed" | "aborted" | "host-gone";

/** A notice as one line: our own line break (a question's reply line) becomes a space; worker text in it is escaped already. */
export function streamLine(notice: string): string {
  return notice.split("\n").map((l) => l.trim()).join(" ");
}

function isClosed(e: unknown): boolean {
  return e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset;
}

function finished(home: string, id: string): boolean {
  try {
    return TERMINAL.has(readState(home, id).state);
  } catch {
    return false;
  }
}

/**
 * Under the session's lock: prints what the session has not been told (the
 * handed-over notices, then its verified journal events from the shared
 * cursor) and moves the cursor past what was printed. `closed` when the
 * reader went away part way; the rest stays for the hook.
 */
export function deliverOnce(
  ctx: Pick<Ctx, "home">,
  session: string,
  write: (line: string) => void,
): Promise<{ closed: boolean; lines: number }> {
  const home = ctx.home;
  return withSession(home, session, async (record) => {
    const next: SessionRecord = { ...record };
    let lines = 0;
    const say = (text: string): boolean => {
      try {
        write(streamLine(text));
        lines++;
        return true;
      } catch (e) {
        if (!isClosed(e)) throw e; // a crash: nothing is committed, the batch is told again
        return false;
      }
    };
    const pending = record.pending ?? [];
    let told = 0;
    while (told < pending.length && say(pending[told]!)) told++;
    if (told < pending.length) next.pending = pending.slice(told);
    else delete next.pending;
    let closed = told < pending.length;
    if (!closed) {
      const from = record.hook ?? 0;
      const { entries, end } = await readEventsFor(home, { session }, from);
      const verifier = new EventVerifier(home);
      const created = new Map<string, number | undefined>();
      const startOf = (e: JournalEvent) => {
        if (!created.has(e.task)) created.set(e.task, trySpec(home, e.task)?.created);
        return created.get(e.task);
      };
      let upTo = from;
      for (const entry of entries) {
        const e = entry.event;
        const text = NOTIFY_TYPES.has(e.type) && verifier.verified(e)
          ? noticeFor(home, e, startOf(e))
          : undefined;
        if (text !== undefined && !say(text)) {
          closed = true;
          break;
        }
        upTo = entry.end;
      }
      next.hook = Math.max(from, closed ? upTo : end);
    }
    next.active = (record.active ?? []).filter((id) => !finished(home, id));
    return [next, { closed, lines }];
  });
}

/** Notes `self` among the session's live monitors (or, with `add` false, takes it out). */
function noteMonitor(home: string, session: string, self: Proc | undefined, add: boolean) {
  return updateSession(home, session, (r) => {
    const others = liveMonitors(r).filter((m) => m.pid !== self?.pid);
    const monitors = add && self ? [...others, { pid: self.pid, pidStart: self.startTime }] : others;
    const next: SessionRecord = { ...r, monitors };
    if (add) next.push = "monitor";
    if (monitors.length === 0) delete next.monitors;
    return next;
  });
}

/**
 * Streams the session's events as lines until the session ends (SessionEnd
 * noted after the stream started), a host process above it is gone, the
 * reader closes, or `signal` aborts. Wakes on the journal's inotify events,
 * re-checking every `reconcileMs` (the session's running workers, which may
 * have died without a word; a missed event; the session's end). Keeps nothing per event: memory stays
 * flat however long the session runs.
 */
export async function stream(ctx: Ctx, opts: StreamOptions): Promise<StreamEnd> {
  const home = ctx.home;
  const { session } = opts;
  const reconcileMs = opts.reconcileMs ?? 2000;
  const endedAtStart = (await noteMonitor(home, session, opts.self, true)).ended;
  try {
    await using wake = watchJournal(ctx, reconcileMs);
    let lastReconcile = -Infinity;
    while (true) {
      if (opts.signal?.aborted) return "aborted";
      if (opts.hosts?.some((p) => !isAlive(p.pid, p.startTime))) return "host-gone";
      let again = false;
      try {
        const record = await readSession(home, session);
        if (record.ended !== undefined && record.ended !== endedAtStart) return "ended";
        if ((record.pending ?? []).length > 0 || (record.hook ?? 0) < await journalEnd(home)) {
          if ((await deliverOnce(ctx, session, opts.write)).closed) return "closed";
        }
        if (ctx.monotonic() - lastReconcile >= reconcileMs) {
          lastReconcile = ctx.monotonic();
          // Only the session's running tasks (a session that never dispatched costs a file read).
          for (const id of record.active ?? []) await reconcileTask(ctx, id).catch(() => undefined);
          again = true; // a reconciled task may have journaled its end: tell it before sleeping
        }
      } catch (e) {
        if (!opts.onError) throw e;
        opts.onError(e); // one bad round does not end the session's push
      }
      if (!again) await wake.wait(reconcileMs, opts.signal);
    }
  } finally {
    await noteMonitor(home, session, opts.self, false).catch(() => undefined);
  }
}
