/**
 * The journal's chunk index (`index/journal.json`): the journal's bytes up
 * to `upTo` cut into line-aligned chunks of about 64 KiB, and for each
 * session, task and event type the chunks that hold its lines. A reader
 * looks up its key and reads only those chunks past its cursor, plus the
 * short unindexed tail, so history it has no part in costs nothing.
 *
 * The index is a cache: whoever finds the unindexed tail a chunk long
 * extends it (under its own lock, never the append lock), and one that does
 * not match the journal (replaced, truncated) is rebuilt by a scan.
 * @module
 */
import { ensureDir, writeAtomic } from "./fsx.ts";
import { withLock } from "./lock.ts";
import { homePaths } from "./paths.ts";

/** Target bytes per chunk; also the most a reader scans past the index. */
export const CHUNK_BYTES = 64 * 1024;

/** A chunk `[start, end)` of the journal, ending just after a newline. */
export type Chunk = [start: number, end: number];

/** What the index file holds. */
export interface JournalIndex {
  version: 1;
  /** Inode of the journal file it describes. */
  ino: number | null;
  /** Bytes `[0, upTo)` are indexed; `upTo` sits just after a newline. */
  upTo: number;
  /** Hex of the (up to) 32 bytes before `upTo`, to notice a rewritten journal. */
  check: string;
  /** Sorted, non-overlapping; the gaps between them hold no event. */
  chunks: Chunk[];
  /** Key (`s:` session, `t:` task, `y:` type, `*` any line) to sorted chunk-number ranges `[from, to)`. */
  keys: Record<string, [number, number][]>;
}

/** The store's indexes (caches that a scan can rebuild) and the locks that guard their writes. */
export function indexPaths(home: string) {
  const dir = `${homePaths(home).home}/index`;
  return {
    dir,
    journal: `${dir}/journal.json`,
    lock: `${dir}/journal.lock`,
    compactLock: `${dir}/compact.lock`,
    tasks: `${dir}/tasks.json`,
    tasksLock: `${dir}/tasks.lock`,
  };
}

/** The index key a reader of one session, task or type looks up; `*` for every line. */
export function indexKey(scope: { session?: string; task?: string; type?: string }): string {
  if (scope.session !== undefined) return `s:${scope.session}`;
  if (scope.task !== undefined) return `t:${scope.task}`;
  if (scope.type !== undefined) return `y:${scope.type}`;
  return "*";
}

const FIELDS = [["session", "s:"], ["task", "t:"], ["type", "y:"]] as const;
const decoder = new TextDecoder();

/** The end of the JSON string body starting at `start` (the index of its closing quote), or -1. */
function stringEnd(text: string, start: number): number {
  let at = start;
  while (true) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return -1;
    let slashes = 0;
    while (text[quote - 1 - slashes] === "\\") slashes++;
    if (slashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/**
 * The keys of the lines in `bytes` (whole lines, as `appendEvent` writes
 * them). A plain substring search, not a parse: inside a JSON string every
 * quote is escaped, so `"task":"` only ever matches a real field.
 */
export function keysOf(bytes: Uint8Array): Set<string> {
  const text = decoder.decode(bytes);
  const keys = new Set<string>();
  if (/[^\0\n]/.test(text)) keys.add("*");
  for (const [field, prefix] of FIELDS) {
    const needle = `"${field}":"`;
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at)) {
      const start = at + needle.length;
      const end = stringEnd(text, start);
      if (end < 0) break;
      const raw = text.slice(start, end);
      try {
        keys.add(prefix + (raw.includes("\\") ? JSON.parse(`"${raw}"`) : raw));
      } catch {
        // not a JSON string after all: the line is corrupt, and readers skip it too
      }
      at = end + 1;
    }
  }
  return keys;
}

/** The index keys of one event (as {@linkcode keysOf} finds them on its line). */
export function keysOfEvent(event: { session?: string; task?: string; type?: string }): string[] {
  const keys = ["*"];
  for (const [field, prefix] of FIELDS) {
    if (typeof event[field] === "string") keys.push(prefix + event[field]);
  }
  return keys;
}

/** An index of nothing, for the journal with inode `ino`. */
export function emptyIndex(ino: number | null): JournalIndex {
  return { version: 1, ino, upTo: 0, check: "", chunks: [], keys: {} };
}

/** Appends a chunk with its keys to `index` (chunks must come in file order). */
export function addChunk(index: JournalIndex, chunk: Chunk, keys: Iterable<string>): void {
  const n = index.chunks.length;
  index.chunks.push(chunk);
  for (const key of keys) {
    const ranges = index.keys[key] ??= [];
    const last = ranges.at(-1);
    if (last && last[1] === n) last[1] = n + 1;
    else ranges.push([n, n + 1]);
  }
  index.upTo = chunk[1];
}

/** The chunks holding `key` that end after `from`, in file order. */
export function chunksFor(index: JournalIndex, key: string, from: number): Chunk[] {
  const out: Chunk[] = [];
  for (const [a, b] of index.keys[key] ?? []) {
    for (let i = a; i < b; i++) {
      const chunk = index.chunks[i]!;
      if (chunk[1] > from) out.push(chunk);
    }
  }
  return out;
}

/** Reads `[start, end)` of `file` (less at end of file). */
export async function readRange(file: Deno.FsFile, start: number, end: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(Math.max(0, end - start));
  await file.seek(start, Deno.SeekMode.Start);
  let got = 0;
  while (got < bytes.length) {
    const n = await file.read(bytes.subarray(got));
    if (n === null) break;
    got += n;
  }
  return bytes.subarray(0, got);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The check string for an index that covers `[0, upTo)` of `file`. */
export async function checkOf(file: Deno.FsFile, upTo: number): Promise<string> {
  return hex(await readRange(file, Math.max(0, upTo - 32), upTo));
}

/** The last index read or written, by the identity of its file (each save is a new inode). */
let cached: { path: string; stamp: string; index: JournalIndex } | undefined;

function stampOf(info: Deno.FileInfo): string {
  return `${info.ino}:${info.size}:${info.mtime?.getTime()}`;
}

async function loadIndex(home: string): Promise<JournalIndex | undefined> {
  const path = indexPaths(home).journal;
  try {
    const stamp = stampOf(await Deno.stat(path));
    if (cached?.path === path && cached.stamp === stamp) return cached.index;
    const index = JSON.parse(await Deno.readTextFile(path)) as JournalIndex;
    if (index.version !== 1 || !Array.isArray(index.chunks)) return undefined;
    cached = { path, stamp, index };
    return index;
  } catch {
    return undefined; // missing or damaged: rebuilt by a scan
  }
}

async function matches(index: JournalIndex, file: Deno.FsFile, info: Deno.FileInfo): Promise<boolean> {
  return index.ino === info.ino && index.upTo <= info.size && await checkOf(file, index.upTo) === index.check;
}

/** Indexes whole chunks of `file` from `index.upTo` while a chunk's worth is unindexed. */
async function extend(index: JournalIndex, file: Deno.FsFile, size: number): Promise<void> {
  let block = 16 * CHUNK_BYTES;
  while (size - index.upTo >= CHUNK_BYTES) {
    const pos = index.upTo;
    const bytes = await readRange(file, pos, Math.min(size, pos + block));
    let cur = 0;
    while (bytes.length - cur >= CHUNK_BYTES) {
      const newline = bytes.indexOf(10, cur + CHUNK_BYTES - 1);
      if (newline < 0) break;
      addChunk(index, [pos + cur, pos + newline + 1], keysOf(bytes.subarray(cur, newline + 1)));
      cur = newline + 1;
    }
    if (cur > 0) continue;
    if (pos + bytes.length >= size) break; // a torn last line: wait for its newline
    block *= 2; // a line longer than the block
  }
  index.check = await checkOf(file, index.upTo);
}

/**
 * The index for the open journal `file`: loaded, checked against the file,
 * and extended (and saved) when a chunk's worth of it is unindexed. With
 * `mayReopen`, undefined when the journal's path now names another file
 * (compaction replaced it): the caller reopens. Never throws for the index's
 * sake: at worst it returns one built in memory.
 */
export async function indexFor(
  home: string,
  file: Deno.FsFile,
  info: Deno.FileInfo,
  mayReopen = false,
): Promise<JournalIndex | undefined> {
  const loaded = await loadIndex(home);
  const valid = loaded !== undefined && await matches(loaded, file, info);
  if (valid && info.size - loaded.upTo < CHUNK_BYTES) return loaded;
  if (!valid && info.size < CHUNK_BYTES) return emptyIndex(info.ino); // too small to be worth an index
  const paths = indexPaths(home);
  if (mayReopen && await inodeOf(homePaths(home).journal) !== info.ino) return undefined;
  try {
    await ensureDir(paths.dir);
    return await withLock(paths.lock, async () => {
      const fresh = await loadIndex(home);
      const index: JournalIndex = fresh && await matches(fresh, file, info)
        ? structuredClone(fresh)
        : emptyIndex(info.ino);
      await extend(index, file, info.size);
      // Only describe the file the journal's path still names (not one compaction replaced).
      if (await inodeOf(homePaths(home).journal) === info.ino) await saveIndex(home, index);
      return index;
    });
  } catch {
    const index = emptyIndex(info.ino);
    await extend(index, file, info.size);
    return index;
  }
}

async function inodeOf(path: string): Promise<number | null | undefined> {
  return (await Deno.stat(path).catch(() => undefined))?.ino;
}

/** Writes the index atomically (callers hold the index lock). */
export async function saveIndex(home: string, index: JournalIndex): Promise<void> {
  const path = indexPaths(home).journal;
  await writeAtomic(path, JSON.stringify(index));
  cached = { path, stamp: stampOf(await Deno.stat(path)), index };
}
