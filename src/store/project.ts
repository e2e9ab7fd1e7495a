/**
 * Which project a folder belongs to: tasks are grouped by it, and a new
 * host session adopts its project's orphaned tasks.
 * @module
 */

/**
 * True when `dir/.git` is a repository's: a folder holding `HEAD`, or the
 * file a worktree or submodule has. An empty `.git` (a sandboxed CLI can
 * leave one in /tmp) does not make its parent a project.
 */
async function isRepoRoot(dir: string): Promise<boolean> {
  try {
    const info = await Deno.lstat(`${dir}/.git`);
    if (info.isFile) return true;
    if (!info.isDirectory) return false;
    await Deno.lstat(`${dir}/.git/HEAD`);
    return true;
  } catch {
    return false;
  }
}

/** The folder's git top level (nearest ancestor with a real `.git`), else the folder itself. */
export async function projectOf(cwd: string): Promise<string> {
  for (let dir = cwd;; dir = dir.slice(0, dir.lastIndexOf("/")) || "/") {
    if (await isRepoRoot(dir)) return dir;
    if (dir === "/") return cwd;
  }
}
