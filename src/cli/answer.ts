/**
 * `dispatch answer`: deliver the user's answer to a worker's open question,
 * or the decision on a permission request (`allow`, `always`, `deny`).
 * @module
 */
import type { Ctx } from "../context.ts";
import { StateError, UsageError } from "../errors.ts";
import { answer } from "../ipc/questions.ts";
import { answerPermission, journaledRequest, questionKind } from "../ipc/permissions.ts";
import { checkMessage, targetQuestion } from "../store/questions.ts";
import { type Decision, DECISIONS } from "../store/permissions.ts";
import { assertTaskId } from "../store/paths.ts";
import { readSpec } from "../store/tasks.ts";
import { afterAnswer, assertCanReceiveAnswer } from "../runtime/resume.ts";
import { addProjectAllow, projectRuleProblem } from "../config/project_grant.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch answer TASK "text" [--question N]
       dispatch answer TASK --question N allow|always|deny ["reason"] [--project]

Delivers the answer to question N exactly once. Without --question, only when the task
has asked exactly one question (otherwise name it: its notice gives the number), so an
answer never lands on a question it was not written for. The text may come on stdin
instead. If the worker has exited meanwhile and its CLI can resume, its session is resumed
with the answer; an answer no worker can receive is refused.

A permission question (its notice says "asks permission") takes a decision: allow runs
the command once, always also allows that exact command for the rest of the task, deny
refuses it (the reason, if any, goes to the worker). An allowed command runs outside the
worker's sandbox, as you. With always, --project also adds it to the project's
.dispatch.yaml allow list (only commands a project file may allow).
`;

/** Runs `dispatch answer`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(
    ctx,
    args,
    { question: { type: "string", short: "q" }, project: { type: "boolean" } },
    HELP,
  );
  if (!parsed) return 0;
  const [task, ...words] = parsed.positionals;
  if (!task) throw new UsageError('Missing TASK (usage: dispatch answer TASK "text")');
  const id = assertTaskId(task);
  const text = words.length > 0 ? words.join(" ") : await ctx.stdin();
  let question: number | undefined;
  if (parsed.values.question !== undefined) {
    question = Number(parsed.values.question);
    if (!Number.isInteger(question) || question < 1) {
      throw new UsageError(`Invalid --question: '${parsed.values.question}' (a question number, e.g. 1)`);
    }
  }
  checkMessage(text, "answer"); // bad input first, whatever the task's state
  readSpec(ctx.home, id); // the task exists (NotFound otherwise)
  const n = permissionTarget(ctx, id, question);
  if (n !== undefined && await questionKind(ctx, id, n) === "permission") {
    return await answerPermissionCli(ctx, id, n, text, parsed.values.project === true);
  }
  if (parsed.values.project) {
    throw new UsageError(`--project goes with 'always' on a permission question only`);
  }
  await assertCanReceiveAnswer(ctx, id);
  const record = await answer(ctx, id, text, { question });
  const resumed = await resumeAfter(ctx, id, record.n, record.text);
  ctx.stdout(`Answered question ${record.n} of ${id}${resumed ? "; its session was resumed" : ""}.\n`);
  return 0;
}

/** The question an answer targets, or undefined when it cannot tell (the ordinary path then says why). */
function permissionTarget(ctx: Ctx, id: string, question: number | undefined): number | undefined {
  try {
    return targetQuestion(ctx.home, id, question);
  } catch {
    return undefined;
  }
}

/** The decision and reason in an answer's text, or a UsageError naming the three words. */
export function parseDecision(id: string, n: number, text: string): { decision: Decision; reason?: string } {
  const trimmed = text.trim();
  const [first, ...rest] = trimmed.split(/\s+/);
  const decision = DECISIONS.find((d) => d === first);
  if (!decision) {
    throw new UsageError(
      `Question ${n} of ${id} asks permission: answer allow, always or deny, then an optional reason (e.g. 'dispatch answer ${id} --question ${n} deny "use the fixture instead"')`,
    );
  }
  const reason = trimmed.slice(first!.length).trim();
  return rest.length > 0 && reason !== ""
    ? { decision, reason: checkMessage(reason, "reason") }
    : { decision };
}

async function answerPermissionCli(
  ctx: Ctx,
  id: string,
  n: number,
  text: string,
  project: boolean,
): Promise<number> {
  const { decision, reason } = parseDecision(id, n, text);
  let rule: string | undefined;
  if (project) {
    if (decision !== "always") {
      throw new UsageError(`--project goes with 'always' only (it adds the command to .dispatch.yaml)`);
    }
    const request = await journaledRequest(ctx, id, n);
    rule = request.command;
    const problem = rule === undefined ? "it is a file write, not a command" : projectRuleProblem(rule);
    if (problem) {
      throw new UsageError(
        `Cannot add it to the project: ${problem}; answer 'always' without --project to allow it for this task`,
      );
    }
  }
  await assertCanReceiveAnswer(ctx, id);
  const record = await answerPermission(ctx, id, n, decision, reason);
  let added = "";
  if (rule !== undefined) {
    const file = await addProjectAllow(readSpec(ctx.home, id).project, rule);
    added = `; '${rule}' added to ${file}`;
  }
  const resumed = await resumeAfter(ctx, id, n, reason ? `${decision}: ${reason}` : decision);
  ctx.stdout(
    `Answered permission question ${record.n} of ${id}: ${decision}${added}${
      resumed ? "; its session was resumed" : ""
    }.\n`,
  );
  return 0;
}

/** Resumes the worker if it exited waiting; a failure names what was stored and what to do. */
async function resumeAfter(ctx: Ctx, id: string, n: number, text: string): Promise<boolean> {
  try {
    return await afterAnswer(ctx, id, text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new StateError(
      `Answered question ${n} of ${id}, but its session could not be resumed: ${why} (run 'dispatch resume ${id}')`,
    );
  }
}
