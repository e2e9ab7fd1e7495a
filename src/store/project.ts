/**
 * Which project a folder belongs to: tasks are grouped by it, and a new
 * host session adopts its project's orphaned tasks.
 * @module
 */

/** The folder's git top level (nearest ancestor with `.git`), else the folder itself. */
export async function projectOf(cwd: string): Promise<string> {
  for (let dir = cwd;; dir = dir.slice(0, dir.lastIndexOf("/")) || "/") {
    try {
      await Deno.lstat(`${dir}/.git`);
      return dir;
    } catch {
      if (dir === "/") return cwd;
    }
  }
}
