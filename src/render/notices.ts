/**
 * The one- and two-line texts the host model reads: the start line, and the
 * notices for questions, completions, failures and stalls. Short on purpose:
 * every byte lands in the host's context. Text from a worker (a question, a
 * reason) is quoted or escaped onto the notice's own line and capped
 * (`quote.ts`), so no worker can add a line to what the host reads.
 * @module
 */
import { formatDuration } from "../duration.ts";
import type { JournalEvent } from "../store/journal.ts";
import type { TaskSpec } from "../store/tasks.ts";
import { assertTaskId, taskPaths } from "../store/paths.ts";
import { inline, QUESTION_CAP, quote, REASON_CAP } from "./quote.ts";
import { checkRequest, type PermissionRequest } from "../store/permissions.ts";

/** The line `dispatch start` prints. */
export function startLine(home: string, spec: TaskSpec): string {
  const alias = spec.alias ? `${inline(spec.alias)}=` : "";
  const dirty = spec.worktree?.uncommitted
    ? `; your checkout has ${spec.worktree.uncommitted} uncommitted file(s) the worker will not see`
    : "";
  const where = spec.worktree
    ? ` Worktree: ${inline(spec.worktree.path)} (branch ${inline(spec.worktree.branch)}${dirty}).`
    : "";
  return `Dispatched ${spec.id} (${alias}${inline(spec.model)} via ${
    inline(spec.backend)
  }, ${spec.tier}).${where} Plan: ${taskPaths(home, spec.id).plan}`;
}

/** The command that answers a question, as the host should run it. */
export function answerCommand(task: string, question?: number): string {
  return `dispatch answer ${task}${question !== undefined ? ` --question ${question}` : ""} "<answer>"`;
}

/**
 * The notice for question `n` of `task`: what it asks, as a JSON string on
 * the notice's first line (at most {@linkcode QUESTION_CAP} characters, the
 * rest named), and, always as its second line, how to answer.
 */
export function questionNotice(task: string, n: number | undefined, text: string): string {
  const asked = quote(text, QUESTION_CAP, `whole: dispatch status ${task} --json`);
  return `? ${task} asks (question ${n}): ${asked}\n  Reply with: ${answerCommand(task, n)}`;
}

/** The command that answers a permission question. */
export function permissionAnswerCommand(task: string, n: number | undefined): string {
  return `dispatch answer ${task}${n !== undefined ? ` --question ${n}` : ""} allow|always|deny ["reason"]`;
}

/**
 * The notice for permission question `n`: the command (or file) and where it
 * runs, each quoted as data (a worker picks its cwd too), and how to answer, on two lines.
 */
export function permissionNotice(task: string, n: number | undefined, r: PermissionRequest): string {
  const more = `whole: dispatch status ${task} --json`;
  const what = r.command !== undefined
    ? `run ${quote(r.command, QUESTION_CAP, more)} in ${quote(r.cwd, REASON_CAP, more)}`
    : `write ${quote(r.file ?? "", REASON_CAP, more)}`;
  return `? ${task} asks permission (question ${n}): ${what}\n  Reply with: ${
    permissionAnswerCommand(task, n)
  }`;
}

/** `1 call denied` / `N calls denied`, or "" for none. */
export function deniedText(denied: number | undefined): string {
  if (!denied) return "";
  return `${denied} call${denied === 1 ? "" : "s"} denied`;
}

/** A count from a journal line, which a reader does not take on trust. */
function count(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined;
}

function progressText(e: JournalEvent): string {
  const total = count(e.total);
  return total !== undefined ? ` ${count(e.done) ?? 0}/${total}` : "";
}

/** The clause saying protected files were put back (runtime/guard.ts), when any were. */
function guardedText(e: JournalEvent): string {
  const n = count(e.guarded);
  if (!n) return "";
  return ` It changed ${n} protected file${
    n === 1 ? "" : "s"
  } (git hooks or config, Claude or dispatch settings); put back: dispatch status ${e.task} --json`;
}

function wellFormedId(id: unknown): id is string {
  try {
    return typeof id === "string" && assertTaskId(id) === id;
  } catch {
    return false;
  }
}

/**
 * A worktree task's second line: its branch's change against its base and
 * the unmerged tasks changing the same files, from counts and well-formed
 * task ids only (`branch dispatch/<id>: 2 commits, 5 files +120 −14`).
 */
export function changeLine(e: JournalEvent): string {
  const c = e.changes;
  if (typeof c !== "object" || c === null) return "";
  const n = (v: unknown) => count(v) ?? 0;
  const commits = n(c.commits);
  let line = `\n  branch dispatch/${e.task}: ${commits} commit${commits === 1 ? "" : "s"}, ${
    n(c.files)
  } file${n(c.files) === 1 ? "" : "s"} +${n(c.added)} \u2212${n(c.removed)}`;
  const overlaps = Array.isArray(e.overlaps) ? e.overlaps.filter((o) => wellFormedId(o?.task)) : [];
  if (overlaps.length > 0) {
    line += `; overlaps ${overlaps.slice(0, 5).map((o) => `${o.task} (${n(o.files)} file(s))`).join(", ")}`;
  }
  return line;
}

/**
 * The notice for one event, or undefined for events the host need not hear
 * about (progress, its own answers and notes). `started` is the task's
 * creation time, for the elapsed figure.
 */
export function noticeFor(home: string, e: JournalEvent, started?: number): string | undefined {
  // An event whose task id could carry a line of its own is no event of ours.
  if (!wellFormedId(e.task)) return undefined;
  const took = started !== undefined && typeof e.ts === "number"
    ? ` in ${formatDuration(e.ts - started)}`
    : "";
  const paths = taskPaths(home, e.task);
  const text = typeof e.text === "string" ? e.text : undefined;
  const reason = (fallback: string) => inline(text ?? fallback, REASON_CAP);
  switch (e.type) {
    case "question": {
      const request = e.kind === "permission" ? checkRequest(e.request) : undefined;
      return request
        ? permissionNotice(e.task, count(e.question), request)
        : questionNotice(e.task, count(e.question), text ?? "");
    }
    case "done": {
      const denied = deniedText(count(e.denied));
      return `✓ ${e.task} done${progressText(e)}${took}${
        denied ? `, ${denied}` : ""
      }. Result: ${paths.output}${guardedText(e)}${changeLine(e)}`;
    }
    case "failed":
      return `✗ ${e.task} failed${progressText(e)}${took}: ${reason("unknown reason")}. Log: ${paths.log}${
        guardedText(e)
      }`;
    case "stalled":
      return `… ${e.task} stalled: ${reason("no activity")}. See: dispatch logs ${e.task}`;
    case "waiting":
      return `? ${e.task} exited with a question open; answering resumes it`;
    case "cancelled":
      return `■ ${e.task} cancelled${text ? `: ${reason("")}` : ""}`;
    default:
      return undefined;
  }
}
