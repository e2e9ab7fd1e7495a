/**
 * Helpers for the answer attacks: a live stand-in worker process and what
 * a task's answers folder holds.
 * @module
 */
import { taskPaths } from "../../src/store/paths.ts";

/** A live process to stand for a worker; `await using` kills it. */
export function liveProcess(): { pid: number } & AsyncDisposable {
  const child = new Deno.Command("sleep", { args: ["60"], stdout: "null", stderr: "null" }).spawn();
  return {
    pid: child.pid,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
    },
  };
}

/** Every name in the task's answers folder (answers and stray temp files alike). */
export async function listAnswerNames(home: string, id: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(taskPaths(home, id).answers)) names.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names.sort();
}

/** Answer `n`'s text, or undefined when there is none. */
export async function answerFile(home: string, id: string, n: number): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(`${taskPaths(home, id).answers}/${String(n).padStart(3, "0")}.json`);
  } catch {
    return undefined;
  }
}
