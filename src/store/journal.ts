/**
 * The append-only event journal (`journal.jsonl`): one JSON line per event.
 * Readers keep byte-offset cursors, so each reads only what is new. Writers
 * append a whole line in one write under a lock, so concurrent workers never
 * interleave or lose a line.
 *
 * Offsets are forever: compaction (`journal_compact.ts`) turns dropped lines
 * into holes of NUL bytes instead of moving the rest, so every cursor, and
 * the launcher's size comparison, stays valid. Readers of one session, task
 * or type go through the chunk index (`journal_index.ts`) and read only the
 * chunks that hold their lines, plus the short unindexed tail.
 * @module
 */
import { homePaths } from "./paths.ts";
import { withLock } from "./lock.ts";
import { openAppend } from "./fsx.ts";
import { kindOf, lstatOrUndefined, UnsafePathError } from "./safe_path.ts";
import { DispatchError, StateError } from "../errors.ts";
import { chunksFor, indexFor, indexKey, type JournalIndex, readRange } from "./journal_index.ts";
import type { PermissionRequest } from "./permissions.ts";

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
  /** For question/answered: `permission` when the question is a permission request. */
  kind?: "permission";
  /** For a permission question: the request as the supervisor read it (what an answer may run). */
  request?: PermissionRequest;
  /** For done: how many tool calls were denied (answered deny, or refused by rules). */
  denied?: number;
}

/** An event with where it sits in the file. */
export interface JournalEntry {
  /** Byte offset just after this event's line: a cursor that has consumed it. */
  end: number;
  event: JournalEvent;
}

/** Whose events to read: one session's, one task's, one type's (all given must match), or every event. */
export interface EventScope {
  session?: string;
  task?: string;
  type?: EventType;
}

/** Events read from a cursor, and the cursor after them (just past the last complete line). */
export interface EventBatch {
  entries: JournalEntry[];
  end: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Appends one event as a single line. A writer never continues a torn line
 * (a crash or a full disk cut the last one short): it starts a new one, so
 * the fragment stays a corrupt line of its own that readers skip. A write
 * that fails part way is cut back off, so it tears nothing either.
 */
export async function appendEvent(home: string, event: JournalEvent): Promise<void> {
  const paths = homePaths(home);
  const line = encoder.encode(JSON.stringify(event) + "\n");
  await withLock(paths.journalLock, async () => {
    using file = await openAppend(paths.journal);
    const size = (await file.stat()).size;
    const torn = size > 0 && (await readRange(file, size - 1, size))[0] !== 10;
    const bytes = torn ? new Uint8Array([10, ...line]) : line;
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
    } catch (e) {
      await file.truncate(size).catch(() => {}); // if this fails too, the next writer starts a new line
      throw journalWriteError(paths.journal, e);
    }
  });
}

/** A failed append as one line (a full disk above all), or the error itself when it is not an I/O failure. */
function journalWriteError(path: string, e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof DispatchError) return e;
  const full = /ENOSPC|EDQUOT|No space left|quota/i.test(`${(e as { code?: string }).code} ${e.message}`);
  return new StateError(
    full
      ? `Could not record an event: the disk holding ${path} is full; free some space and retry`
      : `Could not record an event in ${path}: ${e.message}`,
    75,
  );
}

/**
 * Parses the complete lines of `bytes` (which start at file offset `base`),
 * skipping empty and corrupt ones and the NUL runs compaction leaves.
 * Returns the offset after the last newline, or `base` when there is none.
 */
function parseLines(
  bytes: Uint8Array,
  base: number,
  accept: ((rawLine: string) => boolean) | undefined,
  out: JournalEntry[],
): number {
  const lastNewline = bytes.lastIndexOf(10);
  let start = 0;
  while (start <= lastNewline) {
    const newline = bytes.indexOf(10, start);
    let first = start;
    while (bytes[first] === 0) first++;
    start = newline + 1;
    if (first >= newline) continue;
    const line = decoder.decode(bytes.subarray(first, newline));
    if (accept && !accept(line)) continue;
    try {
      out.push({ end: base + start, event: JSON.parse(line) as JournalEvent });
    } catch {
      // A corrupt line (disk full, manual edit) must not hide the events after it.
    }
  }
  return base + lastNewline + 1;
}

/** Refuses a journal that is not a plain file (a FIFO would block every reader on open). */
async function assertReadable(path: string): Promise<void> {
  const info = await lstatOrUndefined(path);
  if (info && (!info.isFile || info.isSymlink)) throw new UnsafePathError(path, kindOf(info));
}

/** The raw-line test for a scope: cheap substring checks before any JSON.parse. */
function lineTest(scope: EventScope): ((rawLine: string) => boolean) | undefined {
  const needles = (["session", "task", "type"] as const)
    .filter((field) => scope[field] !== undefined)
    .map((field) => `"${field}":${JSON.stringify(scope[field])}`);
  return needles.length === 0 ? undefined : (line) => needles.every((n) => line.includes(n));
}

async function scan(
  home: string,
  key: string,
  from: number,
  accept: ((rawLine: string) => boolean) | undefined,
): Promise<EventBatch> {
  const path = homePaths(home).journal;
  for (let attempt = 0;; attempt++) {
    await assertReadable(path);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return { entries: [], end: 0 };
      throw e;
    }
    try {
      const info = await file.stat();
      if (from > info.size) from = 0; // the journal was replaced: start over
      // undefined: compaction swapped the file under us; read the new one with its own index.
      const index = await indexFor(home, file, info, attempt < 3);
      if (index) return await readIndexed(file, info.size, index, key, from, accept);
    } finally {
      file.close();
    }
  }
}

async function readIndexed(
  file: Deno.FsFile,
  size: number,
  index: JournalIndex,
  key: string,
  from: number,
  accept: ((rawLine: string) => boolean) | undefined,
): Promise<EventBatch> {
  const entries: JournalEntry[] = [];
  for (const [start, end] of chunksFor(index, key, from)) {
    const at = Math.max(start, from);
    parseLines(await readRange(file, at, end), at, accept, entries);
  }
  const tailStart = Math.max(from, index.upTo);
  const end = parseLines(await readRange(file, tailStart, size), tailStart, accept, entries);
  return { entries, end };
}

/**
 * Reads the events of `scope` after byte offset `from` (a cursor: an
 * `end` from an earlier read). Only complete lines count, so a reader racing
 * a writer never sees half an event; `end` is the cursor after every
 * complete line, matching or not.
 */
export function readEventsFor(home: string, scope: EventScope, from: number): Promise<EventBatch> {
  return scan(home, indexKey(scope), from, lineTest(scope));
}

/**
 * Reads every event after byte offset `from`. `filter` sees the raw line
 * first, letting callers skip JSON.parse of lines that cannot match.
 */
export function readEvents(
  home: string,
  from: number,
  filter?: (rawLine: string) => boolean,
): Promise<EventBatch> {
  return scan(home, "*", from, filter);
}

/** The cursor after the journal's last complete line (0 when there is none), reading only its end. */
export async function journalEnd(home: string): Promise<number> {
  await assertReadable(homePaths(home).journal);
  try {
    using file = await Deno.open(homePaths(home).journal, { read: true });
    const size = (await file.stat()).size;
    for (let back = 4096;; back *= 4) {
      const start = Math.max(0, size - back);
      const newline = (await readRange(file, start, size)).lastIndexOf(10);
      if (newline >= 0) return start + newline + 1;
      if (start === 0) return 0;
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return 0;
    throw e;
  }
}
