/**
 * Host sessions: per session, the journal cursors of its delivery paths
 * (`hook`: what the session has been told, by the prompt hook or the monitor;
 * `watch`: what a background `dispatch watch` has woken it for), the tasks it
 * still has running, its push (monitor or watch) and the monitors streaming
 * to it, and whether it is gone (ended, or its Claude Code process died).
 * @module
 */
import { ensureDir, readJsonOrUndefined, writeAtomic, writeJsonAtomic } from "./fsx.ts";
import { homePaths, sessionPath } from "./paths.ts";
import { withLock } from "./lock.ts";
import { isAlive, startTimeOf } from "../proc/procfs.ts";

/** What we keep per host session. */
export interface SessionRecord {
  /**
   * Journal byte offset the session has been told up to: by the prompt hook
   * or by a monitor (`dispatch watch --stream`), whichever took the session's
   * lock first. One cursor for both, so neither repeats the other.
   */
  hook?: number;
  /** Journal byte offset `dispatch watch` has woken the host for. */
  watch?: number;
  /** Task ids this session owns that were not finished when last seen. */
  active?: string[];
  /** Claude Code's pid (CLAUDE_PID in hook env), to tell a crashed session. */
  pid?: number;
  pidStart?: string;
  ended?: number;
  project?: string;
  /** How events reach the session between prompts, as SessionStart told it. */
  push?: "monitor" | "watch";
  /** The `dispatch watch --stream` processes streaming to this session. */
  monitors?: { pid: number; pidStart?: string }[];
  /** Notices handed over at SessionStart (an earlier session's), told once by the monitor or the prompt hook. */
  pending?: string[];
  /** A monitor printing a batch outside the lock (see {@linkcode Claim}). */
  claim?: Claim;
}

/**
 * A batch a monitor took to print outside the session's lock: the journal
 * offset it tells up to and the handed-over notices it took. While its
 * process lives every other teller starts past it; a claim whose process died
 * uncommitted is ignored, so its batch is told again (repeated, never lost).
 */
export interface Claim {
  pid: number;
  pidStart?: string;
  /** Tells two monitors in one process apart. */
  token: string;
  to: number;
  pending?: string[];
}

/** The session's claim when its monitor still runs. */
export function liveClaim(r: SessionRecord): Claim | undefined {
  return r.claim && isAlive(r.claim.pid, r.claim.pidStart) ? r.claim : undefined;
}

/** Where the next teller starts: the cursor, or past a live claim. */
export function toldUpTo(r: SessionRecord): number {
  return Math.max(r.hook ?? 0, liveClaim(r)?.to ?? 0);
}

/** The handed-over notices still to tell: a dead claim's first, then the record's. */
export function pendingOf(r: SessionRecord): string[] {
  const orphaned = r.claim && !liveClaim(r) ? r.claim.pending ?? [] : [];
  return [...orphaned, ...r.pending ?? []];
}

/**
 * Reads a session record at `path`: empty when unknown, and empty too when
 * the file is truncated or not a record (the next write replaces it), so a
 * damaged session file costs at most a repeated notice, never a command.
 */
async function readRecord(path: string): Promise<SessionRecord> {
  let value: unknown;
  try {
    value = await readJsonOrUndefined<unknown>(path);
  } catch (e) {
    if (e instanceof SyntaxError || e instanceof TypeError || e instanceof Deno.errors.IsADirectory) {
      return {};
    }
    throw e;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value as SessionRecord : {};
}

/** Reads a session record (empty when unknown or unreadable). */
export function readSession(home: string, session: string): Promise<SessionRecord> {
  return readRecord(sessionPath(home, session));
}

/**
 * Read-modify-write of a session record under its lock; `fn` returns the new
 * record and a result. Also keeps the session's idle marker in step (see
 * {@linkcode idleMarkerPath}).
 */
export async function withSession<T>(
  home: string,
  session: string,
  fn: (r: SessionRecord) => Promise<[SessionRecord, T]> | [SessionRecord, T],
): Promise<T> {
  const path = sessionPath(home, session);
  await ensureDir(homePaths(home).sessions);
  return withLock(`${path}.lock`, async () => {
    const [next, result] = await fn(await readRecord(path));
    await writeJsonAtomic(path, next);
    await syncIdleMarker(home, session, next);
    return result;
  });
}

/** Read-modify-write of a session record under its lock. */
export function updateSession(
  home: string,
  session: string,
  fn: (r: SessionRecord) => SessionRecord,
): Promise<SessionRecord> {
  return withSession(home, session, (r) => {
    const next = fn(r);
    return [next, next];
  });
}

/**
 * `sessions/<id>.idle` holds the journal size up to which the session has
 * been told everything, and exists only while it has no running task. The
 * launcher compares it with the journal's size to answer the prompt hook
 * without starting Deno when nothing can have changed (most prompts).
 */
export function idleMarkerPath(home: string, session: string): string {
  return `${sessionPath(home, session).slice(0, -".json".length)}.idle`;
}

async function syncIdleMarker(home: string, session: string, r: SessionRecord): Promise<void> {
  const marker = idleMarkerPath(home, session);
  if ((r.active ?? []).length === 0 && r.hook !== undefined) {
    await writeAtomic(marker, `${r.hook}\n`);
  } else {
    await Deno.remove(marker).catch(() => {});
  }
}

/** Notes the Claude Code process behind a session, from a hook's environment. */
export function hostProcess(env: Record<string, string>): Pick<SessionRecord, "pid" | "pidStart"> {
  const pid = Number(env.CLAUDE_PID);
  if (!Number.isSafeInteger(pid) || pid <= 1) return {};
  return { pid, pidStart: startTimeOf(pid) };
}

/** True when the session ended or its process is dead; false when unknown or alive. */
export function sessionGone(r: SessionRecord): boolean {
  if (r.ended !== undefined) return true;
  if (r.pid !== undefined) return !isAlive(r.pid, r.pidStart);
  return false;
}

/**
 * Adds a task to the session's active list, and notes the host's Claude Code
 * process when the caller runs inside it (CLAUDE_PID is in its Bash tool's env).
 */
export function addActive(
  home: string,
  session: string,
  id: string,
  env: Record<string, string> = {},
): Promise<SessionRecord> {
  return updateSession(home, session, (r) => ({
    ...r,
    ...hostProcess(env),
    active: [...new Set([...(r.active ?? []), id])],
  }));
}

/** The session's monitors whose process still runs. */
export function liveMonitors(r: SessionRecord): NonNullable<SessionRecord["monitors"]> {
  return (r.monitors ?? []).filter((m) => isAlive(m.pid, m.pidStart));
}

/**
 * The session that replaced `session` in the same Claude Code process (after
 * `/clear` it starts a new session id and SessionStart notes the same pid):
 * a record other than `session`'s, not ended, with `record`'s pid and start
 * time. Undefined when there is none (yet), or `record` names no process.
 */
export async function successorOf(
  home: string,
  session: string,
  record: SessionRecord,
): Promise<string | undefined> {
  if (record.pid === undefined) return undefined;
  const dir = homePaths(home).sessions;
  const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const id = entry.name.slice(0, -".json".length);
    if (id === session || !/^[A-Za-z0-9_.-]{1,128}$/.test(id) || id.startsWith(".")) continue;
    const r = await readRecord(`${dir}/${entry.name}`);
    if (r.ended === undefined && r.pid === record.pid && r.pidStart === record.pidStart) return id;
  }
  return undefined;
}
