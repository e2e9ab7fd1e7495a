/**
 * Files in a worker's writable project that other programs execute or obey
 * without asking: git's hooks and config (`core.fsmonitor`, `core.hooksPath`
 * run commands on the user's next `git status`), Claude Code's project
 * settings and MCP servers (hooks and permissions the user's next host
 * session loads), and dispatch's own project rules. A worker in `read` or
 * `edit` may not change them: a confined run gets them read-only
 * (`guardedPaths` feeds the bubblewrap plan), and for every run the
 * supervisor snapshots them before and puts back after whatever changed, so
 * a CLI with its own sandbox (codex) or none is held to the same rule. The
 * trusted side never writes through a folder the worker swapped for a link.
 * @module
 */
import type { TaskSpec } from "../store/tasks.ts";
import { isLink } from "../proc/confine.ts";

/** Guarded, relative to the checkout the worker edits (the project or its worktree). */
const CHECKOUT_FILES = [
  ".claude/settings.json",
  ".claude/settings.local.json",
  ".mcp.json",
  ".dispatch.yaml",
  ".worktreeinclude",
];
/** Guarded, relative to the repository's git folder. */
const GIT_FILES = ["hooks", "config"];
/** A guarded file larger than this is not snapshotted (none of these is, in practice). */
const MAX_GUARDED_BYTES = 1024 * 1024;

/** One guarded path as it was. */
type Entry =
  | { kind: "missing" }
  | { kind: "file"; bytes: Uint8Array; mode: number }
  | { kind: "link"; target: string }
  | { kind: "dir"; children: Map<string, Entry> }
  | { kind: "other" };

/** A guarded path as it was, and the real folder it lay in (undefined when that folder did not exist). */
interface Guarded {
  entry: Entry;
  parent?: string;
}

/** The guarded paths and what each held before the run. */
export type GuardSnapshot = Map<string, Guarded>;

function gitDirOf(root: string): string | undefined {
  try {
    return Deno.lstatSync(`${root}/.git`).isDirectory ? `${root}/.git` : undefined;
  } catch {
    return undefined;
  }
}

/** Every path guarded for `spec`'s run (absolute; some may not exist). */
export function guardedPaths(spec: Pick<TaskSpec, "project" | "cwd" | "worktree">): string[] {
  const checkouts = new Set([spec.worktree?.path ?? spec.project, spec.cwd]);
  const out = [...checkouts].flatMap((root) => CHECKOUT_FILES.map((f) => `${root}/${f}`));
  const git = gitDirOf(spec.project);
  if (git) out.push(...GIT_FILES.map((f) => `${git}/${f}`));
  return [...new Set(out)];
}

function read(path: string, depth = 0): Entry {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch {
    return { kind: "missing" };
  }
  if (info.isSymlink) return { kind: "link", target: Deno.readLinkSync(path) };
  if (info.isFile && info.size <= MAX_GUARDED_BYTES) {
    return { kind: "file", bytes: Deno.readFileSync(path), mode: (info.mode ?? 0o644) & 0o7777 };
  }
  if (info.isDirectory && depth === 0) {
    const children = new Map<string, Entry>();
    for (const e of Deno.readDirSync(path)) children.set(e.name, read(`${path}/${e.name}`, 1));
    return { kind: "dir", children };
  }
  return { kind: "other" };
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

function realOrUndefined(path: string): string | undefined {
  try {
    return Deno.realPathSync(path);
  } catch {
    return undefined;
  }
}

/** What the guarded paths hold now. */
export function snapshotGuarded(paths: string[]): GuardSnapshot {
  return new Map(paths.map((p) => [p, { entry: read(p), parent: realOrUndefined(dirOf(p)) }]));
}

/**
 * True when `path`'s folder is still the one the snapshot saw: a worker that
 * swaps `.claude` for a link to the user's own folders must not make the
 * trusted side write there.
 */
function sameFolder(path: string, before: Guarded): boolean {
  const dir = dirOf(path);
  const now = realOrUndefined(dir);
  if (before.parent !== undefined) return now === undefined || now === before.parent;
  if (now === undefined) return true;
  const above = realOrUndefined(dirOf(dir));
  return above !== undefined && now === `${above}/${dir.slice(dir.lastIndexOf("/") + 1)}` &&
    !Deno.lstatSync(dir).isSymlink;
}

function same(a: Entry, b: Entry): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "file": {
      const o = b as typeof a;
      return a.mode === o.mode && a.bytes.length === o.bytes.length &&
        a.bytes.every((x, i) => x === o.bytes[i]);
    }
    case "link":
      return a.target === (b as typeof a).target;
    case "dir": {
      const o = b as typeof a;
      if (a.children.size !== o.children.size) return false;
      for (const [name, entry] of a.children) {
        const other = o.children.get(name);
        if (!other || !same(entry, other)) return false;
      }
      return true;
    }
    default:
      return true; // "missing" and "other" (too big to hold: left as it is)
  }
}

function put(path: string, entry: Entry): void {
  try {
    Deno.removeSync(path, { recursive: true }); // lstat-based: a link is removed, never followed
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (entry.kind !== "missing") Deno.mkdirSync(dirOf(path), { recursive: true });
  if (entry.kind === "file") {
    Deno.writeFileSync(path, entry.bytes, { createNew: true, mode: entry.mode });
    Deno.chmodSync(path, entry.mode); // the umask narrowed it
  } else if (entry.kind === "link") {
    Deno.symlinkSync(entry.target, path);
  }
}

function restore(path: string, before: Entry, changed: string[]): void {
  const now = read(path);
  if (same(before, now)) return;
  if (before.kind === "other") return;
  if (before.kind === "dir" && now.kind === "dir") {
    for (const [name, entry] of before.children) restore(`${path}/${name}`, entry, changed);
    for (const name of now.children.keys()) {
      if (!before.children.has(name)) restore(`${path}/${name}`, { kind: "missing" }, changed);
    }
    return;
  }
  changed.push(path);
  if (before.kind === "dir") {
    put(path, { kind: "missing" });
    Deno.mkdirSync(path);
    for (const [name, entry] of before.children) restore(`${path}/${name}`, entry, changed);
    return;
  }
  put(path, before);
}

/**
 * Puts every guarded path back as `snapshot` holds it; resolves with the
 * paths that had changed (a file the worker made is removed, one it changed
 * or removed is written back with its mode, a link is never followed).
 */
export function restoreGuarded(snapshot: GuardSnapshot): string[] {
  const changed: string[] = [];
  for (const [path, before] of snapshot) {
    if (sameFolder(path, before)) restore(path, before.entry, changed);
    else if (before.parent === undefined && isLink(dirOf(path))) {
      Deno.removeSync(dirOf(path)); // a link the worker made where no folder was: the link goes, not its target
      changed.push(dirOf(path));
    } else changed.push(`${dirOf(path)} (replaced: left alone)`);
  }
  return changed;
}
