/**
 * Small file primitives: private folders, atomic writes, exclusive creation.
 * Directories are created 0700 and files 0600, because task files hold
 * prompts and answers.
 * @module
 */

/** Creates `dir` and its parents with mode 0700 if missing. */
export async function ensureDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
}

let tmpCounter = 0;
function tmpName(path: string): string {
  tmpCounter++;
  return `${path}.${Deno.pid}.${tmpCounter}.tmp`;
}

/** Writes `text` to `path` atomically (temp file in the same folder, then rename). */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = tmpName(path);
  try {
    await Deno.writeTextFile(tmp, text, { mode: 0o600 });
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Writes `value` as pretty JSON, atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/**
 * Creates `path` holding `text` only if it does not exist yet, atomically:
 * the content is complete the moment the name appears. Returns false when
 * another writer got there first, which is how "exactly once" is decided.
 */
export async function createExclusive(path: string, text: string): Promise<boolean> {
  const tmp = tmpName(path);
  await Deno.writeTextFile(tmp, text, { mode: 0o600 });
  try {
    await Deno.link(tmp, path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw e;
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
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
