/**
 * A run's end event (done, failed, cancelled, waiting) must reach the journal
 * once its state is written, even when the writer dies between the two: the
 * event is stored beside the state first, and whoever next looks at the task
 * journals it unless the journal already holds it.
 * @module
 */
import type { Ctx } from "../context.ts";
import { readEventsFor } from "../store/journal.ts";
import { readJsonOrUndefined, writeJsonAtomic } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import { readState, type TaskSpec, TERMINAL, withTaskLock } from "../store/tasks.ts";
import { crashPoint } from "../proc/crash_point.ts";
import { emit, type EventFields } from "./events.ts";

interface Pending {
  ts: number;
  fields: EventFields;
}

/**
 * Runs `commit` (which writes the terminal state) and then journals
 * `fields` at `ts`, leaving the event on disk in between. Call under the
 * task's lock.
 */
export async function announceEnd<T>(
  home: string,
  spec: TaskSpec,
  ts: number,
  fields: EventFields,
  commit: () => Promise<T>,
): Promise<T> {
  const path = taskPaths(home, spec.id).announce;
  await writeJsonAtomic(path, { ts, fields } satisfies Pending);
  const result = await commit();
  crashPoint("announce:committed");
  await emit({ home, now: () => ts }, spec, fields);
  await Deno.remove(path).catch(() => {});
  return result;
}

/**
 * Journals an end event a crash left between state and journal, once. An
 * event whose state write never happened (the task is not over) is dropped:
 * whoever finalizes the task announces it anew.
 */
export async function replayAnnouncement(ctx: Pick<Ctx, "home">, spec: TaskSpec): Promise<void> {
  const path = taskPaths(ctx.home, spec.id).announce;
  await withTaskLock(ctx.home, spec.id, async () => {
    const pending = await readJsonOrUndefined<Pending>(path).catch(() => undefined);
    if (pending === undefined) return;
    const state = readState(ctx.home, spec.id);
    const over = TERMINAL.has(state.state) || state.state === "waiting";
    if (over && typeof pending.ts === "number" && typeof pending.fields?.type === "string") {
      const { entries } = await readEventsFor(ctx.home, { task: spec.id, type: pending.fields.type }, 0);
      if (!entries.some((e) => e.event.ts === pending.ts)) {
        await emit({ home: ctx.home, now: () => pending.ts }, spec, pending.fields);
      }
    }
    await Deno.remove(path).catch(() => {});
  });
}
