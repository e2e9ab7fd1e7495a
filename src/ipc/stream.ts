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
 * session share it the same way. The monitor prints outside the lock: it
 * claims its batch under the lock (the others start past a live claim),
 * prints, then moves the cursor; a monitor killed in between leaves a dead
 * claim and costs at most that batch said once more, never a lost event. A background
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
  liveClaim,
  liveMonitors,
  pendingOf,
  readSession,
  type SessionRecord,
  successorOf,
  toldUpTo,
  updateSession,
  withSession,
} from "../store/sessions.ts";
import { reconcileTask } from "../runtime/reconcile.ts";
import { isAlive, startTimeOf } from "../proc/procfs.ts";
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

/** What one round took to print: its lines (raw notices, the handed-over ones first) and the journal offset it tells up to. */
interface Batch {
  lines: string[];
  handedOver: number;
  to: number;
}

/**
 * Under the session's lock, takes what the session has not been told (the
 * handed-over notices, then its verified journal events from the shared
 * cursor) as a claim; prints it with the lock released, so a host that stops
 * reading holds up no hook; then, under the lock again, moves the cursor and
 * drops the claim. A reader gone part way puts the unprinted rest back as
 * handed-over notices; any other error drops the claim unmoved, so the batch
 * is told again; a monitor killed mid-batch leaves a dead claim, which every
 * teller ignores. `lines` printed, `closed` when the reader went away.
 */
export async function deliverOnce(
  ctx: Pick<Ctx, "home">,
  session: string,
  write: (line: string) => void,
  self: Proc = { pid: Deno.pid, startTime: startTimeOf(Deno.pid) },
): Promise<{ closed: boolean; lines: number }> {
  const home = ctx.home;
  const token = crypto.randomUUID();
  const batch = await withSession(
    home,
    session,
    async (record): Promise<[SessionRecord, Batch | undefined]> => {
      if (liveClaim(record)) return [record, undefined]; // another monitor is telling
      const handedOver = pendingOf(record);
      const lines = [...handedOver];
      const { entries, end } = await readEventsFor(home, { session }, record.hook ?? 0);
      const verifier = new EventVerifier(home);
      const created = new Map<string, number | undefined>();
      const startOf = (e: JournalEvent) => {
        if (!created.has(e.task)) created.set(e.task, trySpec(home, e.task)?.created);
        return created.get(e.task);
      };
      for (const { event: e } of entries) {
        const text = NOTIFY_TYPES.has(e.type) && verifier.verified(e)
          ? noticeFor(home, e, startOf(e))
          : undefined;
        if (text !== undefined) lines.push(text);
      }
      const next: SessionRecord = {
        ...record,
        active: (record.active ?? []).filter((id) => !finished(home, id)),
      };
      delete next.pending;
      delete next.claim;
      if (lines.length === 0) return [{ ...next, hook: Math.max(record.hook ?? 0, end) }, undefined];
      next.claim = { pid: self.pid, pidStart: self.startTime, token, to: end, pending: handedOver };
      return [next, { lines, handedOver: handedOver.length, to: end }];
    },
  );
  if (!batch) return { closed: false, lines: 0 };
  let printed = 0;
  const commit = (failed: boolean) =>
    updateSession(home, session, (record) => {
      const next: SessionRecord = { ...record };
      if (record.claim?.token === token) delete next.claim;
      if (failed) { // all told again: the handed-over notices back, the cursor unmoved
        const back = [...batch.lines.slice(0, batch.handedOver), ...record.pending ?? []];
        if (back.length > 0) next.pending = back;
      } else {
        const rest = batch.lines.slice(printed);
        if (rest.length > 0) next.pending = [...rest, ...record.pending ?? []];
        next.hook = Math.max(record.hook ?? 0, batch.to);
      }
      return next;
    });
  try {
    for (const line of batch.lines) {
      write(streamLine(line));
      printed++;
    }
  } catch (e) {
    if (!isClosed(e)) {
      await commit(true).catch(() => undefined);
      throw e;
    }
  }
  await commit(false);
  return { closed: printed < batch.lines.length, lines: printed };
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
 * noted after the stream started; when its Claude Code lives on, as after
 * `/clear`, the stream follows the session SessionStart noted for the same
 * process instead), a host process above it is gone, the
 * reader closes, or `signal` aborts. Wakes on the journal's inotify events,
 * re-checking every `reconcileMs` (the session's running workers, which may
 * have died without a word; a missed event; the session's end). Keeps nothing per event: memory stays
 * flat however long the session runs.
 */
export async function stream(ctx: Ctx, opts: StreamOptions): Promise<StreamEnd> {
  const home = ctx.home;
  let session = opts.session;
  const reconcileMs = opts.reconcileMs ?? 2000;
  let endedAtStart = (await noteMonitor(home, session, opts.self, true)).ended;
  try {
    await using wake = watchJournal(ctx, reconcileMs);
    let lastReconcile = -Infinity;
    while (true) {
      if (opts.signal?.aborted) return "aborted";
      if (opts.hosts?.some((p) => !isAlive(p.pid, p.startTime))) return "host-gone";
      let again = false;
      try {
        let record = await readSession(home, session);
        if (record.ended !== undefined && record.ended !== endedAtStart) {
          // Ended with its Claude Code alive (`/clear`): follow the session that replaced it, once noted.
          if (record.pid === undefined || !isAlive(record.pid, record.pidStart)) return "ended";
          const next = await successorOf(home, session, record);
          if (next === undefined) {
            await wake.wait(reconcileMs, opts.signal);
            continue;
          }
          await noteMonitor(home, session, opts.self, false);
          session = next;
          record = await noteMonitor(home, session, opts.self, true);
          endedAtStart = record.ended;
        }
        if (pendingOf(record).length > 0 || toldUpTo(record) < await journalEnd(home)) {
          if ((await deliverOnce(ctx, session, opts.write, opts.self)).closed) return "closed";
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
