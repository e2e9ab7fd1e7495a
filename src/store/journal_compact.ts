/**
 * Compacting the journal: the lines of tasks that are gone, once no session
 * can still be told them, become holes. The file is rewritten sparse with
 * every kept line at its old offset and the same size, so no cursor moves
 * and the launcher's size comparison still holds; on disk the holes cost
 * nothing. The index is rebuilt to skip them.
 * @module
 */
import { ensureDir, listDir, readJsonOrUndefined } from "./fsx.ts";
import { withLock } from "./lock.ts";
import { homePaths } from "./paths.ts";
import type { JournalEvent } from "./journal.ts";
import {
  addChunk,
  checkOf,
  type Chunk,
  CHUNK_BYTES,
  chunksFor,
  emptyIndex,
  indexFor,
  indexPaths,
  type JournalIndex,
  keysOfEvent,
  readRange,
  saveIndex,
} from "./journal_index.ts";

/** What {@linkcode compactJournal} keeps besides what no session has been told. */
export interface CompactOptions {
  /** Tasks whose events all stay (those still on disk). */
  keepTasks: ReadonlySet<string>;
}

/** What compaction did. */
export interface CompactResult {
  kept: number;
  dropped: number;
  /** Bytes of events left in the journal. */
  bytesKept: number;
}

/** Each session's prompt-hook cursor; undefined for one whose record cannot be read. */
async function toldUpTo(home: string): Promise<Map<string, number | undefined>> {
  const dir = homePaths(home).sessions;
  const told = new Map<string, number | undefined>();
  for (const name of await listDir(dir)) {
    if (!name.endsWith(".json")) continue;
    const record = await readJsonOrUndefined<{ hook?: number }>(`${dir}/${name}`).catch(() => undefined);
    told.set(name.slice(0, -".json".length), typeof record?.hook === "number" ? record.hook : undefined);
  }
  return told;
}

/**
 * The event on a line if it stays: unless its task is gone and its session
 * (if any) has been told it. Undefined when it goes.
 */
function kept(
  raw: string,
  end: number,
  opts: CompactOptions,
  told: Map<string, number | undefined>,
): JournalEvent | undefined {
  let event: JournalEvent;
  try {
    event = JSON.parse(raw) as JournalEvent;
  } catch {
    return undefined; // corrupt: no reader can use it
  }
  if (opts.keepTasks.has(event.task)) return event;
  if (event.session === undefined) return undefined;
  const cursor = told.get(event.session);
  return cursor === undefined || cursor < end ? event : undefined;
}

/** Writes kept lines at their offsets, coalescing neighbours into one write. */
class SparseWriter {
  #run: Uint8Array[] = [];
  #start = 0;
  #end = 0;
  constructor(readonly file: Deno.FsFile) {}
  async put(at: number, bytes: Uint8Array): Promise<void> {
    if (this.#run.length > 0 && (at !== this.#end || this.#end - this.#start > 1 << 20)) await this.flush();
    if (this.#run.length === 0) this.#start = this.#end = at;
    this.#run.push(bytes.slice());
    this.#end += bytes.length;
  }
  async flush(): Promise<void> {
    if (this.#run.length === 0) return;
    const all = new Uint8Array(this.#end - this.#start);
    let off = 0;
    for (const part of this.#run) all.set(part, (off += part.length) - part.length);
    await this.file.seek(this.#start, Deno.SeekMode.Start);
    let written = 0;
    while (written < all.length) written += await this.file.write(all.subarray(written));
    this.#run = [];
  }
}

/** Phase one: writes the kept complete lines of `regions` into `out` at their offsets and indexes them. */
async function rewrite(
  src: Deno.FsFile,
  regions: Chunk[],
  out: Deno.FsFile,
  keep: (raw: string, end: number) => JournalEvent | undefined,
): Promise<{ index: JournalIndex; result: CompactResult }> {
  const result: CompactResult = { kept: 0, dropped: 0, bytesKept: 0 };
  const writer = new SparseWriter(out);
  const index = emptyIndex(null);
  const decoder = new TextDecoder();
  let chunk: { span: Chunk; keys: Set<string> } | undefined;
  let upTo = 0;
  for (const [start, end] of regions) {
    const bytes = await readRange(src, start, end);
    for (
      let at = 0, newline = bytes.indexOf(10);
      newline >= 0;
      at = newline + 1, newline = bytes.indexOf(10, at)
    ) {
      let first = at;
      while (bytes[first] === 0) first++;
      const lineStart = start + first;
      const lineEnd = start + newline + 1;
      upTo = Math.max(upTo, lineEnd);
      if (first >= newline) continue;
      const event = keep(decoder.decode(bytes.subarray(first, newline)), lineEnd);
      if (!event) {
        result.dropped++;
        continue;
      }
      result.kept++;
      result.bytesKept += lineEnd - lineStart;
      await writer.put(lineStart, bytes.subarray(first, newline + 1));
      if (
        chunk && (lineStart - chunk.span[1] > CHUNK_BYTES || chunk.span[1] - chunk.span[0] >= CHUNK_BYTES)
      ) {
        addChunk(index, chunk.span, chunk.keys);
        chunk = undefined;
      }
      chunk ??= { span: [lineStart, lineEnd], keys: new Set() };
      chunk.span[1] = lineEnd;
      for (const key of keysOfEvent(event)) chunk.keys.add(key);
    }
  }
  if (chunk) addChunk(index, chunk.span, chunk.keys);
  // Readers' cursors reach `upTo` only across a newline: keep the last one.
  if (upTo > 0 && (!chunk || chunk.span[1] !== upTo)) await writer.put(upTo - 1, new Uint8Array([10]));
  await writer.flush();
  index.upTo = upTo;
  return { index, result };
}

/**
 * Drops the events of tasks not in `keepTasks` that every session they
 * belong to has been told (its prompt-hook cursor is past them; events of no
 * session go once their task is gone). The journal is rewritten beside
 * itself while appends go on; only the final copy of what they added, and
 * the swap, hold the append lock.
 */
export async function compactJournal(home: string, opts: CompactOptions): Promise<CompactResult> {
  const ipaths = indexPaths(home);
  try {
    await Deno.lstat(homePaths(home).journal);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { kept: 0, dropped: 0, bytesKept: 0 };
    throw e;
  }
  await ensureDir(ipaths.dir);
  // Readers and appends go on meanwhile; one compaction at a time.
  return await withLock(ipaths.compactLock, () => compactLocked(home, opts));
}

async function compactLocked(home: string, opts: CompactOptions): Promise<CompactResult> {
  const paths = homePaths(home);
  const ipaths = indexPaths(home);
  using src = await Deno.open(paths.journal, { read: true });
  const info = await src.stat();
  const old = (await indexFor(home, src, info))!;
  const told = await toldUpTo(home);
  // Unguessable and created O_EXCL: a link planted at the name is never opened.
  const tmp = `${paths.journal}.${crypto.randomUUID()}.compact.tmp`;
  try {
    using out = await Deno.open(tmp, { read: true, write: true, createNew: true, mode: 0o600 });
    const regions: Chunk[] = [...chunksFor(old, "*", 0), [old.upTo, info.size]];
    const { index, result } = await rewrite(src, regions, out, (raw, end) => kept(raw, end, opts, told));
    // The index lock keeps readers from saving an index of the old file after the swap.
    return await withLock(ipaths.lock, () =>
      withLock(paths.journalLock, async () => {
        if ((await Deno.stat(paths.journal)).ino !== info.ino) { // replaced by someone else: leave it be
          await Deno.remove(tmp);
          return { kept: 0, dropped: 0, bytesKept: 0 };
        }
        // What was appended (or half-written) since, as it is.
        const appended = await readRange(src, index.upTo, (await src.stat()).size);
        await out.seek(index.upTo, Deno.SeekMode.Start);
        for (let written = 0; written < appended.length;) {
          written += await out.write(appended.subarray(written));
        }
        await out.truncate(Math.max(info.size, index.upTo + appended.length));
        index.check = await checkOf(out, index.upTo);
        index.ino = (await out.stat()).ino;
        await Deno.rename(tmp, paths.journal);
        await saveIndex(home, index);
        return result;
      }));
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
