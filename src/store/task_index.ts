/**
 * The task index (`index/tasks.json`): per task its project, when it was
 * created and when it ended, so the board loads only the tasks it shows
 * (this project's unfinished and recent ones) however many ever ran.
 *
 * It is a cache that needs no writer's help: tasks new on disk are read
 * once, tasks gone from disk are dropped, `resumed` events (read through
 * the journal index) reopen ended ones, and the board reports tasks it found
 * ended ({@linkcode noteEnded}). Missing or damaged, it is rebuilt by a scan.
 * An entry that says unfinished is only a reason to look: the board checks
 * every such task itself.
 * @module
 */
import { ensureDir, readJsonOrUndefined, writeJsonAtomic } from "./fsx.ts";
import { withLock } from "./lock.ts";
import { journalEnd, readEventsFor } from "./journal.ts";
import { indexPaths } from "./journal_index.ts";
import { listTaskIds, readState, TERMINAL, trySpec } from "./tasks.ts";

/** Ended tasks stay on the board this long after they end. */
export const RECENT_MS = 24 * 60 * 60 * 1000;
/** However long ago, the board shows at least this many of the last ended tasks. */
export const RECENT_MIN = 10;

/** One task in the index. */
export interface TaskEntry {
  project: string;
  created: number;
  /** When it ended; absent while it may still be running. */
  ended?: number;
}

interface TaskIndexFile {
  version: 1;
  /** Journal cursor up to which `resumed` events have been applied. */
  journal: number;
  tasks: Record<string, TaskEntry>;
}

async function load(home: string): Promise<TaskIndexFile | undefined> {
  const index = await readJsonOrUndefined<TaskIndexFile>(indexPaths(home).tasks).catch(() => undefined);
  return index?.version === 1 && typeof index.tasks === "object" ? index : undefined;
}

function locked<T>(home: string, fn: () => Promise<T>): Promise<T> {
  const paths = indexPaths(home);
  return ensureDir(paths.dir).then(() => withLock(paths.tasksLock, fn));
}

function entryOf(home: string, id: string): TaskEntry | undefined {
  const spec = trySpec(home, id);
  if (!spec) return undefined; // being created or deleted: next time
  const state = readState(home, id);
  return {
    project: spec.project,
    created: spec.created,
    ...(TERMINAL.has(state.state) ? { ended: state.ended ?? spec.created } : {}),
  };
}

/** The index brought up to date with the tasks folder and the journal. */
export function taskIndex(home: string): Promise<Record<string, TaskEntry>> {
  return locked(home, async () => {
    const ids = await listTaskIds(home);
    let index = await load(home);
    let changed = false;
    if (!index || index.journal > await journalEnd(home)) {
      // The cursor first: a task resumed while we read its state is reopened next time.
      index = { version: 1, journal: await journalEnd(home), tasks: {} };
      changed = true;
    }
    const onDisk = new Set(ids);
    for (const id of Object.keys(index.tasks)) {
      if (!onDisk.has(id)) {
        delete index.tasks[id];
        changed = true;
      }
    }
    for (const id of ids) {
      if (index.tasks[id]) continue;
      const entry = entryOf(home, id);
      if (entry) index.tasks[id] = entry;
      changed ||= entry !== undefined;
    }
    const resumed = await readEventsFor(home, { type: "resumed" }, index.journal);
    for (const { event } of resumed.entries) {
      const entry = index.tasks[event.task];
      if (entry?.ended !== undefined) delete entry.ended;
    }
    changed ||= resumed.end !== index.journal;
    index.journal = resumed.end;
    if (changed) await writeJsonAtomic(indexPaths(home).tasks, index).catch(() => {});
    return index.tasks;
  });
}

/** What the board of one project shows. */
export interface BoardSelection {
  /** This project's unfinished tasks and recently ended ones. */
  ids: string[];
  /** Those of `ids` the index holds as unfinished: the ones to report to {@linkcode noteEnded} once ended. */
  unfinished: ReadonlySet<string>;
  /** How many of its ended tasks are left out as old. */
  older: number;
}

/** This project's unfinished tasks and those that ended recently (see {@linkcode RECENT_MS}). */
export async function boardTaskIds(home: string, project: string, now: number): Promise<BoardSelection> {
  const tasks = Object.entries(await taskIndex(home)).filter(([, e]) => e.project === project);
  const open = tasks.filter(([, e]) => e.ended === undefined).map(([id]) => id);
  const ended = tasks.filter(([, e]) => e.ended !== undefined).sort(([, a], [, b]) => b.ended! - a.ended!);
  const recent = ended.filter(([, e], i) => i < RECENT_MIN || now - e.ended! < RECENT_MS).map(([id]) => id);
  return { ids: [...open, ...recent], unfinished: new Set(open), older: ended.length - recent.length };
}

/** Records that these tasks (id to end time) were found ended. */
export function noteEnded(home: string, ended: Map<string, number>): Promise<void> {
  if (ended.size === 0) return Promise.resolve();
  return locked(home, async () => {
    const index = await load(home);
    let changed = false;
    for (const [id, at] of ended) {
      const entry = index?.tasks[id];
      if (entry && entry.ended === undefined) entry.ended = at;
      changed ||= entry !== undefined;
    }
    if (changed) await writeJsonAtomic(indexPaths(home).tasks, index).catch(() => {});
  });
}
