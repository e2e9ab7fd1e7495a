/**
 * `dispatch merge`: a finished worktree task's branch into the branch
 * checked out in its project, one repository at a time (a lock across
 * processes). The merge is first made in a scratch place (`git merge-tree
 * --write-tree`, then a commit object nothing points at), so a conflict,
 * a failing `--check` or a merge that would touch the user's uncommitted
 * or untracked files is refused with the files named and nothing changed.
 * Only then does the user's branch move, by a fast-forward to that commit,
 * which leaves every other file of the checkout as it was.
 * @module
 */
import type { Ctx } from "../context.ts";
import { StateError } from "../errors.ts";
import { readSpec, readState, type TaskSpec, TERMINAL, updateState } from "../store/tasks.ts";
import { emit } from "./events.ts";
import { worktreeOf } from "./diff.ts";
import { overlapsOf } from "./overlap.ts";
import { runCheck, withRepoLock } from "./merge_check.ts";
import { DISPATCH_IDENTITY, git, nulFields, porcelainPaths } from "./worktree_git.ts";

/** Options for {@linkcode mergeTask}. */
export interface MergeOptions {
  /** A command that must pass on the merged tree first. */
  check?: string;
  /** One commit on the target instead of a merge commit. */
  squash?: boolean;
}

/** How one merge went. */
export interface MergeOutcome {
  id: string;
  merged: boolean;
  /** What happened, in one line. */
  line: string;
  /** When refused: what to do next. */
  next?: string;
}

const MAX_NAMED = 10;

/** A path on one line of ours: controls, line breaks, bidi and invisible characters as `\\u` escapes. */
function asData(path: string): string {
  return path.replace(
    /[\p{Cc}\p{Cf}\u2028\u2029\\]/gu,
    (c) => c === "\\" ? "\\\\" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `text` as one shell word: single-quoted, so a file name in a suggested command is never run. */
export function shellWord(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A list of paths for one line: escaped as data, at most {@linkcode MAX_NAMED}. */
export function namedFiles(paths: string[]): string {
  const shown = paths.slice(0, MAX_NAMED).map(asData).join(", ");
  return paths.length > MAX_NAMED ? `${shown} and ${paths.length - MAX_NAMED} more` : shown;
}

/** True when `a` and `b` are one path, or one is a folder holding the other. */
function collides(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** Files of the checkout the merge would change that are not committed there (untracked, modified, ignored). */
async function endangered(project: string, head: string, tree: string): Promise<string[]> {
  const touched = nulFields(
    (await git(["diff", "--name-only", "-z", "--no-renames", head, tree], project)).out,
  );
  if (touched.length === 0) return [];
  const status = await git(["status", "--porcelain", "-z", "--untracked-files=all"], project);
  const dirty = porcelainPaths(status.out);
  const tracked = new Set(nulFields((await git(["ls-tree", "-r", "-z", "--name-only", head], project)).out));
  const hit = new Set<string>();
  for (const path of touched) {
    for (const d of dirty) if (collides(path, d)) hit.add(d);
    // An ignored file where the merge adds one: git would overwrite it without asking.
    if (!tracked.has(path) && await Deno.lstat(`${project}/${path}`).then(() => true, () => false)) {
      hit.add(path);
    }
  }
  return [...hit].sort();
}

async function identity(project: string): Promise<string[]> {
  const email = await git(["config", "user.email"], project);
  return email.ok && email.text !== "" ? [] : DISPATCH_IDENTITY; // the user's own when they have one
}

async function record(ctx: Ctx, spec: TaskSpec, into: string, commit: string): Promise<void> {
  await updateState(ctx.home, spec.id, (s) => ({ ...s, merged: { at: ctx.now(), into, commit } }));
  await emit(ctx, spec, { type: "merged", text: `into ${into} (${commit.slice(0, 12)})` });
}

/**
 * Merges task `id`'s branch; `note` hears the overlaps found first. A
 * refusal is an outcome, not an error, so a queue of merges carries on.
 */
export async function mergeTask(
  ctx: Ctx,
  id: string,
  opts: MergeOptions,
  note: (line: string) => void,
): Promise<MergeOutcome> {
  const spec = readSpec(ctx.home, id);
  const wt = worktreeOf(spec);
  const state = readState(ctx.home, id);
  if (!TERMINAL.has(state.state)) {
    return {
      id,
      merged: false,
      line: `Not merged: ${id} is ${state.state}; its worker has not ended`,
      next: `wait for it, or dispatch cancel ${id}`,
    };
  }
  if (state.merged) {
    return {
      id,
      merged: true,
      line: `Already merged: ${id} went into ${state.merged.into} (${state.merged.commit.slice(0, 12)})`,
    };
  }
  return await withRepoLock(ctx.home, spec.project, () => mergeLocked(ctx, spec, wt.branch, opts, note));
}

async function mergeLocked(
  ctx: Ctx,
  spec: TaskSpec,
  branch: string,
  opts: MergeOptions,
  note: (line: string) => void,
): Promise<MergeOutcome> {
  const id = spec.id;
  const project = spec.project;
  const refused = (line: string, next?: string): MergeOutcome => ({
    id,
    merged: false,
    line,
    ...(next ? { next } : {}),
  });
  const target = await git(["symbolic-ref", "-q", "--short", "HEAD"], project);
  if (!target.ok) {
    return refused(
      `Not merged: ${project} has no branch checked out (detached HEAD)`,
      "check out the branch to merge into, then run dispatch merge again",
    );
  }
  const into = target.text;
  const head = (await git(["rev-parse", "--verify", "HEAD"], project)).text;
  const tip = await git(["rev-parse", "--verify", "-q", `refs/heads/${branch}`], project);
  if (!tip.ok) return refused(`Not merged: branch ${branch} no longer exists in ${project}`);
  if ((await git(["merge-base", "--is-ancestor", tip.text, head], project)).ok) {
    await record(ctx, spec, into, head);
    return { id, merged: true, line: `Already in ${into}: ${branch} has nothing ${into} lacks` };
  }
  for (const o of await overlapsOf(ctx.home, spec)) {
    note(`Overlap: ${o.task} (not merged yet) also changes ${namedFiles(o.files)}`);
  }
  const scratch = await git(["merge-tree", "--write-tree", "--name-only", "-z", head, tip.text], project);
  const fields = nulFields(scratch.out);
  if (scratch.code === 1) {
    const files = fields.slice(1, fields.indexOf("") === -1 ? undefined : fields.indexOf(""));
    const named = namedFiles([...new Set(files)]);
    return refused(
      `Not merged: ${branch} conflicts with ${into} in ${named}; ${into} and your checkout are unchanged`,
      `dispatch resume ${id} --message ${
        shellWord(`rebase onto ${into} and resolve the conflict in ${named}`)
      }`,
    );
  }
  if (!scratch.ok) return refused(`Not merged: git merge-tree failed: ${scratch.err}`);
  const tree = fields[0]!;
  const blocked = await endangered(project, head, tree);
  if (blocked.length > 0) {
    return refused(
      `Not merged: the merge would change files you have changed or not committed in ${project}: ${
        namedFiles(blocked)
      }`,
      `commit or stash them, then run dispatch merge ${id} again`,
    );
  }
  const message = opts.squash
    ? `${spec.title}\n\nSquashed from ${branch} by dispatch merge.\n`
    : `Merge ${branch}: ${spec.title}\n`;
  const parents = opts.squash ? ["-p", head] : ["-p", head, "-p", tip.text];
  const made = await git([...await identity(project), "commit-tree", tree, ...parents, "-F", "-"], project, {
    stdin: message,
  });
  if (!made.ok) return refused(`Not merged: git commit-tree failed: ${made.err}`);
  const commit = made.text;
  if (opts.check) {
    const failed = await runCheck(project, commit, opts.check, ctx.env);
    if (failed) {
      return refused(
        `Not merged: the check ${failed}; ${into} is unchanged`,
        `dispatch diff ${id}, or dispatch resume ${id} --message ${
          shellWord(`rebase onto ${into} and make ${opts.check} pass`)
        }`,
      );
    }
  }
  // The branch moves only if nobody moved it meanwhile: the fast-forward is to a child of `head`.
  const now = (await git(["rev-parse", "--verify", "HEAD"], project)).text;
  if (now !== head) {
    return refused(
      `Not merged: ${into} moved while merging; nothing changed`,
      `run dispatch merge ${id} again`,
    );
  }
  const ff = await git(["merge", "--ff-only", "-q", commit], project);
  if (!ff.ok) {
    throw new StateError(`Merge failed: git merge --ff-only ${commit.slice(0, 12)} refused: ${ff.err}`);
  }
  await record(ctx, spec, into, commit);
  return {
    id,
    merged: true,
    line: `Merged ${id} into ${into} (${commit.slice(0, 12)}${opts.squash ? ", squashed" : ""})`,
  };
}
