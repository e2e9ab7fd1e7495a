/**
 * The one- and two-line texts the host model reads: the start line, and the
 * notices for questions, completions, failures and stalls. Short on purpose:
 * every byte lands in the host's context.
 * @module
 */
import { formatDuration } from "../duration.ts";
import type { JournalEvent } from "../store/journal.ts";
import type { TaskSpec } from "../store/tasks.ts";
import { taskPaths } from "../store/paths.ts";

/** The line `dispatch start` prints. */
export function startLine(home: string, spec: TaskSpec): string {
  const alias = spec.alias ? `${spec.alias}=` : "";
  const where = spec.worktree ? ` Worktree: ${spec.worktree.path} (branch ${spec.worktree.branch}).` : "";
  return `Dispatched ${spec.id} (${alias}${spec.model} via ${spec.backend}, ${spec.tier}).${where} Plan: ${
    taskPaths(home, spec.id).plan
  }`;
}

/** The command that answers a question, as the host should run it. */
export function answerCommand(task: string, question?: number): string {
  return `dispatch answer ${task}${question !== undefined ? ` --question ${question}` : ""} "<answer>"`;
}

/** The notice for question `n` of `task`: what it asks and how to answer. */
export function questionNotice(task: string, n: number | undefined, text: string): string {
  return `? ${task} asks (question ${n}): ${JSON.stringify(text)}\n  Reply with: ${answerCommand(task, n)}`;
}

function progressText(e: JournalEvent): string {
  return e.total !== undefined ? ` ${e.done ?? 0}/${e.total}` : "";
}

/**
 * The notice for one event, or undefined for events the host need not hear
 * about (progress, its own answers and notes). `started` is the task's
 * creation time, for the elapsed figure.
 */
export function noticeFor(home: string, e: JournalEvent, started?: number): string | undefined {
  const took = started !== undefined ? ` in ${formatDuration(e.ts - started)}` : "";
  const paths = taskPaths(home, e.task);
  switch (e.type) {
    case "question":
      return questionNotice(e.task, e.question, e.text ?? "");
    case "done":
      return `✓ ${e.task} done${progressText(e)}${took}. Result: ${paths.output}`;
    case "failed":
      return `✗ ${e.task} failed${progressText(e)}${took}: ${e.text ?? "unknown reason"}. Log: ${paths.log}`;
    case "stalled":
      return `… ${e.task} stalled: ${e.text ?? "no activity"}. See: dispatch logs ${e.task}`;
    case "waiting":
      return `? ${e.task} exited with a question open; answering resumes it`;
    case "cancelled":
      return `■ ${e.task} cancelled${e.text ? `: ${e.text}` : ""}`;
    default:
      return undefined;
  }
}
