/**
 * The pieces of `dispatch merge` that happen beside the user's checkout:
 * the one-at-a-time lock of a repository, and `--check`, which runs a
 * command on the merged tree in a temporary worktree that is removed after,
 * whatever it did.
 * @module
 */
import { withLock } from "../store/lock.ts";
import { ensureDir } from "../store/fsx.ts";
import { git } from "./worktree_git.ts";
import { copyIncluded } from "./worktree_include.ts";

/** Runs `fn` holding the merge lock of `project`'s repository (every worktree of it shares one). */
export async function withRepoLock<T>(home: string, project: string, fn: () => Promise<T>): Promise<T> {
  const common = await git(["rev-parse", "--path-format=absolute", "--git-common-dir"], project);
  const real = await Deno.realPath(common.ok ? common.text : project).catch(() => project);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(real));
  const hash = [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  await ensureDir(`${home}/locks`);
  return await withLock(`${home}/locks/merge-${hash}.lock`, fn);
}

/** How a check ended: undefined when it passed, else what to say. */
export async function runCheck(
  project: string,
  commit: string,
  command: string,
  env: Record<string, string>,
): Promise<string | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "dispatch-check-" });
  try {
    const add = await git(["worktree", "add", "-q", "--detach", dir, commit], project);
    if (!add.ok) return `the check's worktree could not be made: ${add.err}`;
    await copyIncluded(undefined, project, dir); // the same ignored files a task's worktree gets
    const status = await new Deno.Command("sh", {
      args: ["-c", command],
      cwd: dir,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    return status.success
      ? undefined
      : `'${command}' ${
        status.signal ? `was killed by ${status.signal}` : `exited ${status.code}`
      } on the merged tree`;
  } finally {
    await git(["worktree", "remove", "--force", dir], project);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await git(["worktree", "prune"], project);
  }
}
