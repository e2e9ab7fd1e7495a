/**
 * Writing a task's events to the journal, stamped with its current owner
 * and the context's clock.
 * @module
 */
import type { Ctx } from "../context.ts";
import { appendEvent, type JournalEvent } from "../store/journal.ts";
import type { TaskSpec } from "../store/tasks.ts";

/** The event fields a caller supplies; the rest come from the task. */
export type EventFields = Omit<JournalEvent, "ts" | "task" | "session" | "project">;

/** Appends an event for `spec`'s task, stamped `ctx.now()`. */
export function emit(ctx: Pick<Ctx, "home" | "now">, spec: TaskSpec, fields: EventFields): Promise<void> {
  return appendEvent(ctx.home, {
    ts: ctx.now(),
    task: spec.id,
    ...(spec.session ? { session: spec.session } : {}),
    project: spec.project,
    ...fields,
  });
}
