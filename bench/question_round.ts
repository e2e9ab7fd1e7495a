/**
 * One question through the supervisor's half, for the latency benches: a
 * question file wakes a watch of the task's questions folder, which journals
 * it (as `runtime/worker_run.ts` does), which wakes whatever the bench times.
 * @module
 */
import type { HomeCtx } from "../src/context.ts";
import { TimeoutError } from "../src/errors.ts";
import { ask } from "../src/ipc/questions.ts";
import { askPermission } from "../src/ipc/permissions.ts";
import { questionJournal } from "../src/runtime/question_journal.ts";
import { readSpec } from "../src/store/tasks.ts";

/**
 * A running supervisor's half for task `id`: `ask` writes question `i` (a
 * permission request, as a claude worker's hook records one, for `permission`),
 * `finish` ends the round.
 */
export async function questionRound(
  clock: HomeCtx,
  home: string,
  id: string,
  i: number,
  kind: "question" | "permission" = "question",
) {
  const questions = `${home}/tasks/${id}/work/questions`;
  await Deno.mkdir(questions, { recursive: true });
  const journal = await questionJournal(clock, readSpec(home, id));
  const stop = new AbortController();
  const supervisor = (async () => {
    await using wake = clock.watchDir(questions, { pollMs: 2000 });
    while (!stop.signal.aborted && await journal.sweep() === 0) await wake.wait(2000, stop.signal);
  })();
  return {
    /** Writes the question (no waiting for an answer). */
    async ask(): Promise<void> {
      if (kind === "permission") {
        const request = { tool: "Bash", command: `npm install left-pad-${i}`, cwd: home, call: `toolu_${i}` };
        await askPermission(clock, id, request);
        return;
      }
      await ask(clock, id, `Question ${i}?`, { timeoutMs: 1 }).catch((e) => {
        if (!(e instanceof TimeoutError)) throw e;
      });
    },
    /** Stops the supervisor's half and ends the task; resolves with when the question was written. */
    async finish(): Promise<number> {
      stop.abort();
      await supervisor;
      const written = JSON.parse(await Deno.readTextFile(`${questions}/001.json`)).ts as number;
      await Deno.writeTextFile(`${home}/tasks/${id}/state.json`, JSON.stringify({ state: "done", code: 0 }));
      return written;
    },
  };
}
