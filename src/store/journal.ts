/**
 * The append-only event journal (`journal.jsonl`): one JSON line per event.
 * Readers keep byte-offset cursors, so each reads only what is new. Writers
 * append a whole line in one write under a lock, so concurrent workers never
 * interleave or lose a line.
 * @module
 */
import { homePaths } from "./paths.ts";
import { withLock } from "./lock.ts";

/** What can happen to a task. */
export type EventType =
  | "started"
  | "progress"
  | "question"
  | "answered"
  | "noted"
  | "done"
  | "failed"
  | "stalled"
  | "cancelled"
  | "resumed"
  | "waiting";

/** One journal line. */
export interface JournalEvent {
  /** Milliseconds since the epoch. */
  ts: number;
  type: EventType;
  task: string;
  /** The host session that owns the task when the event was written. */
  session?: string;
  /** The project folder the task was dispatched from. */
  project?: string;
  /** Question or answer number, for question/answered. */
  question?: number;
  /** Free text: the question, the reason, the summary line. */
  text?: string;
  /** Checklist progress at the time of the event. */
  done?: number;
  total?: number;
  /** Exit code, for done/failed. */
  code?: number | null;
}

/** An event with where it sits in the file. */
export interface JournalEntry {
  /** Byte offset just after this event's line: a cursor that has consumed it. */
  end: number;
  event: JournalEvent;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Appends one event as a single line. */
export async function appendEvent(home: string, event: JournalEvent): Promise<void> {
  const paths = homePaths(home);
  const line = encoder.encode(JSON.stringify(event) + "\n");
  await withLock(paths.journalLock, async () => {
    using file = await Deno.open(paths.journal, { append: true, create: true, mode: 0o600 });
    let written = 0;
    while (written < line.length) written += await file.write(line.subarray(written));
  });
}

/**
 * Reads the events after byte offset `from`. Only complete lines count, so a
 * reader racing a writer never sees half an event. `filter` sees the raw line
 * first, letting hot paths skip JSON.parse of lines that cannot match.
 */
export async function readEvents(
  home: string,
  from: number,
  filter?: (rawLine: string) => boolean,
): Promise<{ entries: JournalEntry[]; end: number }> {
  let bytes: Uint8Array;
  try {
    using file = await Deno.open(homePaths(home).journal, { read: true });
    const size = (await file.stat()).size;
    if (from > size) from = 0; // the journal was replaced: start over
    await file.seek(from, Deno.SeekMode.Start);
    bytes = new Uint8Array(size - from);
    let got = 0;
    while (got < bytes.length) {
      const n = await file.read(bytes.subarray(got));
      if (n === null) break;
      got += n;
    }
    bytes = bytes.subarray(0, got);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { entries: [], end: 0 };
    throw e;
  }
  const lastNewline = bytes.lastIndexOf(10);
  if (lastNewline < 0) return { entries: [], end: from };
  const entries: JournalEntry[] = [];
  let start = 0;
  while (start <= lastNewline) {
    const newline = bytes.indexOf(10, start);
    const lineBytes = bytes.subarray(start, newline);
    start = newline + 1;
    if (lineBytes.length === 0) continue;
    const line = decoder.decode(lineBytes);
    if (filter && !filter(line)) continue;
    try {
      entries.push({ end: from + start, event: JSON.parse(line) as JournalEvent });
    } catch {
      // A corrupt line (disk full, manual edit) must not hide the events after it.
    }
  }
  return { entries, end: from + lastNewline + 1 };
}
