/**
 * The task index (`index/tasks.json`): per project, each task and when it
 * ended, so the board loads only the tasks it shows (this project's
 * unfinished and recent ones) however many ever ran.
 *
 * It is a cache that needs no writer's help: tasks new on disk are read
 * once, tasks gone from disk are dropped, `resumed` events (read through
 * the journal index) reopen ended ones, and the board reports tasks it found
 * ended ({@linkcode noteEnded}). Missing or damaged, it is rebuilt by a scan.
 * An entry that says unfinished is only a reason to look: the board checks
 * every such task itself. Every write is a whole, consistent file (its
 * entries as of its journal cursor), so racing writers need no lock: the
 * last one wins and anything it missed is found again.
 * @module
 */
import { ensureDir, readJsonOrUndefined, writeJsonAtomic } from "./fsx.ts";
import { journalEnd, readEventsFor } from "./journal.ts";
import { indexPaths } from "./journal_index.ts";
import { readState, TERMINAL, trySpec } from "./tasks.ts";
import { homePaths } from "./paths.ts";

/** Ended tasks stay on the board this long after they end. */
export const RECENT_MS = 24 * 60 * 60 * 1000;
/** However long ago, the board shows at least this many of the last ended tasks. */
export const RECENT_MIN = 10;

interface TaskIndexFile {
  version: 2;
  /** Journal cursor up to which `resumed` events have been applied. */
  journal: number;
  /** Project to task id to when the task ended (null while it may still be running). */
  projects: Record<string, Record<string, number | null>>;
}

async function load(home: string): Promise<TaskIndexFile | undefined> {
  const index = await readJsonOrUndefined<TaskIndexFile>(indexPaths(home).tasks).catch(() => undefined);
  return index?.version === 2 && typeof index.projects === "object" ? index : undefined;
}

async function save(home: string, index: TaskIndexFile): Promise<void> {
  const paths = indexPaths(home);
  await ensureDir(paths.dir);
  await writeJsonAtomic(paths.tasks, index).catch(() => {}); // a cache: the next board tries again
}

/**
 * The task ids on disk, as `listTaskIds` gives them but read synchronously:
 * with thousands of tasks, one thread hop per directory entry costs more
 * than the whole board.
 */
function taskIdsOnDisk(home: string): string[] {
  try {
    return Array.from(Deno.readDirSync(homePaths(home).tasks), (e) => e.name).filter((n) =>
      !n.startsWith(".")
    );
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/** Adds a task the index does not know yet; false while it is half created or deleted. */
function addTask(home: string, index: TaskIndexFile, id: string): boolean {
  const spec = trySpec(home, id);
  if (!spec) return false;
  const state = readState(home, id);
  (index.projects[spec.project] ??= {})[id] = TERMINAL.has(state.state) ? state.ended ?? spec.created : null;
  return true;
}

/** The index brought up to date with the tasks folder and the journal. */
async function refreshed(home: string): Promise<TaskIndexFile> {
  const ids = taskIdsOnDisk(home);
  let index = await load(home);
  let changed = false;
  if (!index || index.journal > await journalEnd(home)) {
    // The cursor first: a task resumed while we read its state is reopened next time.
    index = { version: 2, journal: await journalEnd(home), projects: {} };
    changed = true;
  }
  const onDisk = new Set(ids);
  const known = new Set<string>();
  for (const tasks of Object.values(index.projects)) {
    for (const id of Object.keys(tasks)) {
      if (onDisk.has(id)) known.add(id);
      else changed = delete tasks[id];
    }
  }
  for (const id of ids) if (!known.has(id)) changed = addTask(home, index, id) || changed;
  const resumed = await readEventsFor(home, { type: "resumed" }, index.journal);
  for (const { event } of resumed.entries) {
    for (const tasks of Object.values(index.projects)) if (tasks[event.task]) tasks[event.task] = null;
  }
  changed ||= resumed.end !== index.journal;
  index.journal = resumed.end;
  if (changed) await save(home, index);
  return index;
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
  const tasks = Object.entries((await refreshed(home)).projects[project] ?? {});
  const open = tasks.filter(([, ended]) => ended === null).map(([id]) => id);
  const ended = tasks.filter((t): t is [string, number] => t[1] !== null).sort(([, a], [, b]) => b - a);
  const recent = ended.filter(([, at], i) => i < RECENT_MIN || now - at < RECENT_MS).map(([id]) => id);
  return { ids: [...open, ...recent], unfinished: new Set(open), older: ended.length - recent.length };
}

/** Every task of `project` on disk, of any age, without reading the others' files. */
export async function projectTaskIds(home: string, project: string): Promise<string[]> {
  return Object.keys((await refreshed(home)).projects[project] ?? {});
}

/** Records that these tasks of `project` (id to end time) were found ended. */
export async function noteEnded(home: string, project: string, ended: Map<string, number>): Promise<void> {
  if (ended.size === 0) return;
  const index = await load(home);
  const tasks = index?.projects[project];
  if (!index || !tasks) return;
  for (const [id, at] of ended) if (tasks[id] === null) tasks[id] = at;
  await save(home, index);
}
