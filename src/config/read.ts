/**
 * Reading `config.yaml` as untrusted input: only a regular file (not a
 * symlink, folder, FIFO or device), at most {@linkcode MAX_CONFIG_BYTES},
 * read by at most that many bytes and one more, so a huge or endless file
 * costs no more than a small one. The file opened must be the one looked at
 * (same device and inode), so a link swapped in between the look and the
 * open is refused too (one that becomes a FIFO in that instant could still
 * block the open: only a writer of `DISPATCH_HOME` can do that, and it can
 * only delay its own user). Each refusal is one ConfigError line with the fix.
 * @module
 */
import { ConfigError, NotFoundError } from "../errors.ts";
import { readAtMost } from "../store/fsx.ts";

/** The largest config.yaml read: 1 MiB (a generous config is a few KB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** A file that is not what it must be, and why; `tooLarge` when that is its size. */
export class RefusedFile extends Error {
  constructor(message: string, readonly tooLarge = false) {
    super(message);
  }
}

/** What kind of thing `info` is, for errors: "a directory", "a FIFO (named pipe)". */
function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO (named pipe)";
  if (info.isSocket) return "a socket";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  return "not a regular file";
}

/**
 * Looks at `path` without following a final symlink: its info when it is a
 * regular file of at most `max` bytes; throws Deno.errors.NotFound when it
 * is missing and RefusedFile (a sentence about `path`) otherwise.
 */
export async function lstatRegular(path: string, max: number): Promise<Deno.FileInfo> {
  const info = await Deno.lstat(path);
  if (info.isSymlink) {
    throw new RefusedFile(
      `${path} is a symlink (only a regular file is read there, so a link cannot swap in another file; put the file itself in its place)`,
    );
  }
  if (!info.isFile) throw new RefusedFile(`${path} is ${kindOf(info)} (it must be a regular file)`);
  if (info.size > max) throw new RefusedFile(`${path} is ${info.size} bytes (at most ${max})`, true);
  return info;
}

/**
 * Reads the regular file at `path` (see {@linkcode lstatRegular}): its bytes
 * and the info they were read under. Reads at most `max + 1` bytes.
 */
export async function readRegular(
  path: string,
  max: number,
): Promise<{ bytes: Uint8Array; info: Deno.FileInfo }> {
  const seen = await lstatRegular(path, max);
  using file = await Deno.open(path, { read: true });
  const info = await file.stat();
  if (!info.isFile || info.ino !== seen.ino || info.dev !== seen.dev) {
    throw new RefusedFile(`${path} was replaced while being opened (try again; it must be a regular file)`);
  }
  const bytes = await readAtMost(file, max + 1);
  if (bytes.length > max) throw new RefusedFile(`${path} grew past ${max} bytes while being read`, true);
  return { bytes, info };
}

/**
 * Reads `config.yaml` at `path` as text with the info it was read under;
 * NotFoundError when missing, ConfigError when it is not a regular file,
 * too large or not UTF-8.
 */
export async function readConfigText(path: string): Promise<{ text: string; info: Deno.FileInfo }> {
  let read: { bytes: Uint8Array; info: Deno.FileInfo };
  try {
    read = await readRegular(path, MAX_CONFIG_BYTES);
  } catch (e) {
    throw configReadError(path, e);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(read.bytes);
  } catch {
    throw new ConfigError(`Config is not valid UTF-8 text: ${path} (save it as UTF-8)`);
  }
  return { text, info: read.info };
}

/** The one-line error for a config file that could not be looked at or read. */
export function configReadError(path: string, e: unknown): unknown {
  if (e instanceof Deno.errors.NotFound) {
    return new NotFoundError(`No config: ${path} does not exist; run 'dispatch config init'`);
  }
  if (e instanceof RefusedFile) {
    return new ConfigError(`${e.tooLarge ? "Config too large" : "Config refused"}: ${e.message}`);
  }
  if (e instanceof Deno.errors.PermissionDenied) {
    return new ConfigError(`Config unreadable: ${path}: permission denied (make it readable by you)`);
  }
  return e;
}

/** Refuses text with a NUL byte, naming the line: config.yaml is plain text. */
export function refuseNul(text: string, file: string): void {
  const at = text.indexOf("\0");
  if (at < 0) return;
  const line = text.slice(0, at).split("\n").length;
  throw new ConfigError(
    `Config contains a NUL byte: ${file} line ${line} (it must be plain text; remove it)`,
  );
}

/** YAML `text` as plain data; a ConfigError naming `file` and the first error when it does not parse. */
export function parseYamlText(yaml: typeof import("yaml"), text: string, file: string): unknown {
  try {
    const doc = yaml.parseDocument(text);
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS() ?? {};
  } catch (e) {
    throw new ConfigError(
      `Invalid YAML in ${file}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
    );
  }
}
