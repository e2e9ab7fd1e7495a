/**
 * Every notice is checked against the task's verified state before the host
 * hears it: the journal says what happened, but a line in it is relayed only
 * when the task's own files and its process agree. A forged or stale line (a
 * "done" for a task whose worker still runs, a question with no question
 * file) is dropped.
 * @module
 */
import type { JournalEvent } from "../store/journal.ts";
import { isAlive } from "../proc/procfs.ts";
import { listQuestions } from "../store/questions.ts";
import { readState, type TaskState, trySpec } from "../store/tasks.ts";

/** Checks events against their tasks, reading each task's files once. */
export class EventVerifier {
  #home: string;
  #states = new Map<string, TaskState | undefined>();
  #questions = new Map<string, Map<number, string>>();

  constructor(home: string) {
    this.#home = home;
  }

  #state(id: string): TaskState | undefined {
    if (!this.#states.has(id)) {
      let state: TaskState | undefined;
      try {
        state = trySpec(this.#home, id) ? readState(this.#home, id) : undefined;
      } catch {
        state = undefined; // unreadable: nothing can be verified
      }
      this.#states.set(id, state);
    }
    return this.#states.get(id);
  }

  #question(id: string, n: number): string | undefined {
    if (!this.#questions.has(id)) {
      const byN = new Map<number, string>();
      try {
        for (const q of listQuestions(this.#home, id)) byN.set(q.n, String(q.text).trim());
      } catch {
        // a garbled question file verifies no question
      }
      this.#questions.set(id, byN);
    }
    return this.#questions.get(id)!.get(n);
  }

  /** True when `e` is true of its task now: its state says so, and an ended worker's process is gone. */
  verified(e: JournalEvent): boolean {
    const state = this.#state(e.task);
    if (!state) return false;
    const workerGone = !isAlive(state.pid, state.pidStart);
    switch (e.type) {
      case "question":
        return typeof e.question === "number" && e.text !== undefined &&
          this.#question(e.task, e.question) === e.text.trim();
      case "done":
      case "failed":
      case "waiting":
        return state.state === e.type && workerGone;
      case "stalled":
        return state.state === "stalled";
      default:
        return true;
    }
  }
}
