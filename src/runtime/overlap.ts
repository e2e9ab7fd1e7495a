/**
 * Overlap: unmerged worktree tasks of one repository whose branches change
 * the same files, found before anyone merges so the user hears of a likely
 * conflict from the board, the done notice and `dispatch merge`.
 * @module
 */
import { listTaskIds, readState, type TaskSpec, trySpec } from "../store/tasks.ts";
import { baseOf } from "./diff.ts";
import { git, nulFields } from "./worktree_git.ts";

/** Another task and the files both change. */
export interface Overlap {
  task: string;
  files: string[];
}

/** The files `spec`'s branch changes against its base; none when it is gone or merged. */
export async function changedFiles(spec: TaskSpec): Promise<string[]> {
  if (!spec.worktree) return [];
  try {
    const base = await baseOf(spec);
    const merged = await git(
      ["merge-base", "--is-ancestor", `refs/heads/${spec.worktree.branch}`, "HEAD"],
      spec.project,
    );
    if (merged.ok) return []; // in the project's HEAD already (merged by hand)
    const names = await git(
      ["diff", "--name-only", "-z", "--no-renames", base, `refs/heads/${spec.worktree.branch}`],
      spec.project,
    );
    return nulFields(names.out);
  } catch {
    return []; // branch or base gone: nothing left to collide with
  }
}

/** The worktree tasks of `project` that `dispatch merge` has not merged. */
export async function unmergedWorktreeTasks(home: string, project: string): Promise<TaskSpec[]> {
  const specs: TaskSpec[] = [];
  for (const id of await listTaskIds(home)) {
    const spec = trySpec(home, id);
    if (spec?.worktree && spec.project === project && !readState(home, id).merged) specs.push(spec);
  }
  return specs;
}

/** For each of `specs`, the others (of the same project) whose branches change files it changes too. */
export async function findOverlaps(specs: TaskSpec[]): Promise<Map<string, Overlap[]>> {
  const files = new Map<string, Set<string>>();
  await Promise.all(specs.map(async (s) => files.set(s.id, new Set(await changedFiles(s)))));
  const result = new Map<string, Overlap[]>();
  for (const a of specs) {
    const mine = files.get(a.id)!;
    const overlaps: Overlap[] = [];
    for (const b of specs) {
      if (b.id === a.id || b.project !== a.project) continue;
      const shared = [...files.get(b.id)!].filter((f) => mine.has(f)).sort();
      if (shared.length > 0) overlaps.push({ task: b.id, files: shared });
    }
    result.set(a.id, overlaps);
  }
  return result;
}

/** The overlaps of one task with every other unmerged worktree task of its project. */
export async function overlapsOf(home: string, spec: TaskSpec): Promise<Overlap[]> {
  const others = (await unmergedWorktreeTasks(home, spec.project)).filter((s) => s.id !== spec.id);
  return (await findOverlaps([spec, ...others])).get(spec.id) ?? [];
}
