/**
 * Writing a task's events to the journal, stamped with its current owner.
 * @module
 */
import { appendEvent, type JournalEvent } from "../store/journal.ts";
import type { TaskSpec } from "../store/tasks.ts";

/** The event fields a caller supplies; the rest come from the task. */
export type EventFields = Omit<JournalEvent, "ts" | "task" | "session" | "project">;

/** Appends an event for `spec`'s task. */
export function emit(home: string, spec: TaskSpec, fields: EventFields, now = Date.now()): Promise<void> {
  return appendEvent(home, {
    ts: now,
    task: spec.id,
    ...(spec.session ? { session: spec.session } : {}),
    project: spec.project,
    ...fields,
  });
}
