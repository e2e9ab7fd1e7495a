/**
 * Host sessions: per session, the journal cursors of its two delivery paths
 * (the prompt hook and `dispatch watch`), the tasks it still has running,
 * and whether it is gone (ended, or its Claude Code process died).
 * @module
 */
import { ensureDir, readJsonOrUndefined, writeJsonAtomic } from "../store/fsx.ts";
import { homePaths, sessionPath } from "../store/paths.ts";
import { withLock } from "../store/lock.ts";
import { isAlive, startTimeOf } from "../runtime/procfs.ts";

/** What we keep per host session. */
export interface SessionRecord {
  /** Journal byte offset the prompt hook has delivered up to. */
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
}

/** Reads a session record (empty when unknown). */
export async function readSession(home: string, session: string): Promise<SessionRecord> {
  return (await readJsonOrUndefined<SessionRecord>(sessionPath(home, session))) ?? {};
}

/** Read-modify-write of a session record under its lock. */
export async function updateSession(
  home: string,
  session: string,
  fn: (r: SessionRecord) => SessionRecord,
): Promise<SessionRecord> {
  const path = sessionPath(home, session);
  await ensureDir(homePaths(home).sessions);
  return withLock(`${path}.lock`, async () => {
    const next = fn((await readJsonOrUndefined<SessionRecord>(path)) ?? {});
    await writeJsonAtomic(path, next);
    return next;
  });
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
