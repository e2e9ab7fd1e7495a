/**
 * Small file primitives: private folders, atomic writes, exclusive creation.
 * Directories are created 0700 and files 0600, because task files hold
 * prompts and answers.
 * @module
 */
import { assertRealFolders, homeOf, kindOf, lstatOrUndefined, UnsafePathError } from "./safe_path.ts";

/**
 * Creates `dir` and its parents with mode 0700 if missing. Below the home
 * (see {@linkcode homeOf}) each level is made on its own and must be a real
 * folder, so a planted link is refused rather than followed.
 */
export async function ensureDir(dir: string): Promise<void> {
  const probe = `${dir}/.`;
  await Deno.mkdir(homeOf(probe), { recursive: true, mode: 0o700 });
  await assertRealFolders(probe, true);
}

/** A temp name beside `path` that nobody can guess (a worker that lists the folder sees it only once made). */
function tmpName(path: string): string {
  return `${path}.${crypto.randomUUID()}.tmp`;
}

/** Creates a new file (O_EXCL: an existing name, a link included, is refused) holding `text`, mode 0600. */
async function writeNew(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text, { createNew: true, mode: 0o600 });
}

/**
 * Writes `text` to `path` atomically: a new temp file under an unpredictable
 * name in the same folder, then rename over `path`. Rename replaces a link
 * at `path` instead of following it; a link among the folders on the way
 * is refused ({@linkcode UnsafePathError}), before and after the write.
 */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await assertRealFolders(path);
  const tmp = tmpName(path);
  try {
    await writeNew(tmp, text);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    if (e instanceof Deno.errors.IsADirectory) throw new UnsafePathError(path, "a folder");
    throw e;
  } finally {
    // A folder swapped for a link while we wrote: too late to stop, not too late to say.
    await assertRealFolders(path, false, true);
  }
}

/** Writes `value` as pretty JSON, atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/**
 * Creates `path` holding `text` only if it does not exist yet, atomically:
 * the content is complete the moment the name appears. Returns false when
 * another writer got there first (or anything, a link included, holds the
 * name), which is how "exactly once" is decided. Folders on the way are
 * checked as for {@linkcode writeAtomic}.
 */
export async function createExclusive(path: string, text: string): Promise<boolean> {
  await assertRealFolders(path);
  const tmp = tmpName(path);
  await writeNew(tmp, text);
  try {
    // link(2) neither follows nor replaces what is at `path`.
    await Deno.link(tmp, path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw e;
  } finally {
    await Deno.remove(tmp).catch(() => {});
    await assertRealFolders(path, false, true);
  }
}

/** What {@linkcode openAppend} does with a link (or other non-file) at the name it opens. */
export type OnLink = "refuse" | "discard";

/**
 * Opens `path` for appending (and reading), creating it 0600 when missing,
 * never through a link: folders on the way are checked, a missing file is
 * created with O_EXCL, and an existing one must be a regular file with a
 * single name, the very one opened (its inode is compared after the open).
 * A link or special file at `path` is refused ({@linkcode UnsafePathError}),
 * or with `discard` removed and replaced by a new empty file (for files
 * whose content a link cannot hold: a lock, a log about to be started).
 */
export async function openAppend(path: string, onLink: OnLink = "refuse"): Promise<Deno.FsFile> {
  await assertRealFolders(path);
  for (let attempt = 0;; attempt++) {
    const info = await lstatOrUndefined(path);
    if (info === undefined) {
      try {
        return await Deno.open(path, { read: true, append: true, createNew: true, mode: 0o600 });
      } catch (e) {
        if (e instanceof Deno.errors.AlreadyExists && attempt < 3) continue; // made meanwhile: look again
        throw e;
      }
    }
    const plain = info.isFile && info.nlink === 1;
    if (!plain) {
      if (onLink === "discard" && !info.isDirectory && attempt < 3) {
        await Deno.remove(path).catch(() => {});
        continue;
      }
      throw new UnsafePathError(path, info.isFile ? "a file with another name (a hard link)" : kindOf(info));
    }
    // Not a FIFO by lstat, so this open does not block; the inode check catches a swap in between.
    const file = await Deno.open(path, { read: true, append: true });
    const opened = await file.stat();
    if (opened.ino === info.ino && opened.dev === info.dev) return file;
    file.close();
    throw new UnsafePathError(path, "a different file from the one looked at", true);
  }
}

/**
 * Makes `path` a private regular file that something else may append to by
 * name (the worker's wrapper, to the log): created 0600 when missing, a link
 * or special file there discarded. Returns its size.
 */
export async function prepareAppend(path: string): Promise<number> {
  using file = await openAppend(path, "discard");
  return (await file.stat()).size;
}

/** Reads a text file, or undefined when it does not exist. */
export async function readTextOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Reads and parses a JSON file, or undefined when it does not exist. */
export async function readJsonOrUndefined<T>(path: string): Promise<T | undefined> {
  const text = await readTextOrUndefined(path);
  return text === undefined ? undefined : JSON.parse(text) as T;
}

/**
 * Reads and parses a JSON file synchronously, or undefined when it does not
 * exist. For the small state files readers go through by the hundred, where
 * a thread hop per async read costs more than the read.
 */
export function readJsonSyncOrUndefined<T>(path: string): T | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(path)) as T;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** True when `path` exists (without following a final symlink). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Names in `dir`, sorted; an empty list when the folder does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return names.sort();
}

/** Modification time of `path` in ms, or undefined when it is missing or unreadable. Sync, for boards. */
export function mtimeSync(path: string): number | undefined {
  try {
    return Deno.statSync(path).mtime?.getTime() ?? undefined;
  } catch {
    return undefined;
  }
}

/** Modification time of `path` in ms, or 0 when it is missing or unreadable. */
export async function mtimeMs(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

/** Reads a text file synchronously, or "" when it is missing or unreadable. */
export function readTextSyncOrEmpty(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/**
 * Reads `path` from byte offset `start(size)` to its end, without reading
 * what comes before; undefined when the file does not exist. `start` sees
 * the file's size (a tail, or a cursor reset when the file shrank).
 */
export async function readFrom(
  path: string,
  start: (size: number) => number,
): Promise<{ bytes: Uint8Array; start: number } | undefined> {
  try {
    using file = await Deno.open(path, { read: true });
    const size = (await file.stat()).size;
    const from = start(size);
    await file.seek(from, Deno.SeekMode.Start);
    const bytes = new Uint8Array(size - from);
    let got = 0;
    while (got < bytes.length) {
      const n = await file.read(bytes.subarray(got));
      if (n === null) break;
      got += n;
    }
    return { bytes: bytes.subarray(0, got), start: from };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Reads from `reader` until its end or `limit` bytes, whichever comes first: never more. */
export async function readAtMost(
  reader: { read(p: Uint8Array): Promise<number | null> },
  limit: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < limit) {
    const chunk = new Uint8Array(Math.min(65_536, limit - total));
    const n = await reader.read(chunk);
    if (n === null) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
