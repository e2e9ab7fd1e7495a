/**
 * Questions reach the journal through the supervisor, a trusted process:
 * `dispatch ask` (run by the worker, inside its sandbox) writes only its
 * task's `questions/NNN.json`; the supervisor watching that folder turns each
 * new, well-formed question file into one `question` event. So no worker
 * needs, or is granted, write access to the journal. A permission request
 * is journaled with its request checked and its text made from it (not the
 * worker's text): that event is what an answer may run. One whose exact
 * command an `always` answer granted is answered at once, unasked.
 * @module
 */
import type { Ctx } from "../context.ts";
import { readEventsFor } from "../store/journal.ts";
import { checkMessage, listQuestions, messageFile, type Question } from "../store/questions.ts";
import {
  checkRequest,
  isGranted,
  type PermissionRequest,
  permissionText,
  recordDecision,
} from "../store/permissions.ts";
import { type TaskSpec, withTaskLock } from "../store/tasks.ts";
import { exists } from "../store/fsx.ts";
import { taskPaths } from "../store/paths.ts";
import { emit } from "./events.ts";

/** The most questions one sweep journals: a worker that floods its folder cannot flood the host. */
export const MAX_QUESTIONS_PER_SWEEP = 20;

/** Journals a task's questions once each. Create with {@linkcode questionJournal}. */
export interface QuestionJournal {
  /** Emits a `question` event for each question file not journaled yet; returns how many. */
  sweep(): Promise<number>;
}

/** Starts from the questions the journal already holds for the task (an earlier run, a resume). */
export async function questionJournal(
  ctx: Pick<Ctx, "home" | "now">,
  spec: TaskSpec,
): Promise<QuestionJournal> {
  const seen = new Set<number>();
  const { entries } = await readEventsFor(ctx.home, { task: spec.id, type: "question" }, 0);
  for (const e of entries) if (typeof e.event.question === "number") seen.add(e.event.question);
  return {
    async sweep() {
      let emitted = 0;
      let questions;
      try {
        questions = listQuestions(ctx.home, spec.id);
      } catch {
        return 0; // a file the worker garbled: skipped until it parses
      }
      for (const q of questions) {
        if (seen.has(q.n) || emitted >= MAX_QUESTIONS_PER_SWEEP) continue;
        if (!Number.isSafeInteger(q.n) || q.n < 1 || typeof q.text !== "string") continue;
        const fields = eventOf(q);
        if (!fields) continue; // empty, oversized or malformed: not a question the host should see
        if (fields.request && await grantedAlready(ctx, spec, q.n, fields.request)) {
          seen.add(q.n);
          continue;
        }
        seen.add(q.n);
        await emit(ctx, spec, { type: "question", question: q.n, ...fields });
        emitted++;
      }
      return emitted;
    },
  };
}

/** The event fields for a question file, or undefined when it is no question to show. */
function eventOf(q: Question) {
  if (q.kind === "permission") {
    const request = checkRequest(q.request);
    return request ? { text: permissionText(request), kind: "permission" as const, request } : undefined;
  }
  try {
    return { text: checkMessage(q.text, "question") };
  } catch {
    return undefined;
  }
}

/**
 * True when permission request `n` needs no question: it is answered
 * already, or an `always` answer granted its exact command in its cwd (it is then
 * answered `always` here, as the supervisor read it).
 */
async function grantedAlready(
  ctx: Pick<Ctx, "home" | "now">,
  spec: TaskSpec,
  n: number,
  request: PermissionRequest,
): Promise<boolean> {
  if (await exists(`${taskPaths(ctx.home, spec.id).answers}/${messageFile(n)}`)) return true;
  if (request.command === undefined || !isGranted(ctx.home, spec.id, request.command, request.cwd)) {
    return false;
  }
  await withTaskLock(ctx.home, spec.id, async () => {
    const { event } = await recordDecision(
      ctx.home,
      spec.id,
      n,
      "always",
      "granted earlier",
      request,
      ctx.now(),
    );
    await emit(ctx, spec, event);
  });
  return true;
}
