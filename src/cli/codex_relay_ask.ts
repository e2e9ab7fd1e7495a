/**
 * How the codex relay asks: permission questions of the worker's own task
 * (found from the process tree, as `dispatch ask` finds it) through the
 * relay core (`ipc/permissions.ts`), with what the core already knows first.
 *
 * - A command the task's rules allow or an `always` answer granted runs
 *   without a question.
 * - A decision is *used* once the relay hands it to codex; the relay writes
 *   the question's receipt then. A decision no relay used is one whose
 *   worker died while it waited: the resumed relay tells the model about it
 *   in its turn text and answers the model's repeat of that exact command
 *   (a new call id: the old one came back `aborted`) from it, unasked.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { workerIdentity } from "../ipc/caller.ts";
import { askPermission, waitForDecision } from "../ipc/permissions.ts";
import {
  commandAllowed,
  isPermissionQuestion,
  type PermissionDecision,
  readDecision,
  readGrants,
} from "../store/permissions.ts";
import { listQuestions } from "../store/questions.ts";
import { taskPaths } from "../store/paths.ts";
import { writeAtomic } from "../store/fsx.ts";
import type { PermissionRequest, PermissionVerdict } from "../backends/codex/relay.ts";

/** How long the relay waits for its supervisor to record the worker's pid. */
const RECORD_WAIT_MS = 10_000;

/** The relay's questions and the stored answers it reuses. */
export interface PermissionDecider {
  decide(request: PermissionRequest): Promise<PermissionVerdict>;
  /** The turn's text, with what the user decided about calls an earlier run lost. */
  turnText(text: string): Promise<string>;
}

async function ownTask(ctx: Ctx): Promise<string> {
  const until = ctx.monotonic() + RECORD_WAIT_MS;
  while (true) {
    const found = workerIdentity(ctx.home);
    if (found.task !== undefined) return found.task;
    if (ctx.monotonic() >= until) {
      throw new UsageError("No task: the codex relay runs only as a worker that dispatch started");
    }
    await ctx.sleep(25);
  }
}

/** Decisions on this task's permission questions that no relay has used yet, oldest first. */
export async function unusedDecisions(ctx: Ctx, task: string): Promise<PermissionDecision[]> {
  const p = taskPaths(ctx.home, task);
  const used = new Set<number>();
  try {
    for await (const e of Deno.readDir(p.receipts)) used.add(Number(e.name));
  } catch {
    // no receipts yet
  }
  const out: PermissionDecision[] = [];
  for (const q of listQuestions(ctx.home, task)) {
    if (!isPermissionQuestion(q) || used.has(q.n)) continue;
    const decision = await readDecision(ctx.home, task, q.n);
    if (decision) out.push(decision);
  }
  return out;
}

function markUsed(ctx: Ctx, task: string, n: number): Promise<void> {
  return writeAtomic(`${taskPaths(ctx.home, task).receipts}/${n}`, `${ctx.now()}\n`);
}

function verdictOf(d: PermissionDecision): PermissionVerdict {
  return { decision: d.decision, ...(d.reason ? { reason: d.reason } : {}) };
}

/** What the model is told about a decision its lost call never got. */
export function lostCallNote(d: PermissionDecision): string {
  const what = d.request.command !== undefined
    ? `running "${d.request.command}"`
    : `changing ${d.request.file}`;
  if (d.decision === "deny") {
    return `The user denied ${what}${
      d.reason ? `: ${d.reason}` : ""
    }. Do not try it again; carry on without it.`;
  }
  return `The user allowed ${what}, but that call was lost when the worker stopped: run it again now, ` +
    `exactly as before, with sandbox_permissions "require_escalated".`;
}

/** The decider for this worker. */
export function permissionDecider(ctx: Ctx): PermissionDecider {
  return {
    async decide(request) {
      const task = await ownTask(ctx);
      if (request.command !== undefined && commandAllowed(ctx.home, task, request.command)) {
        return { decision: "allow" };
      }
      if (request.file !== undefined && readGrants(ctx.home, task).files.includes(request.file)) {
        return { decision: "allow" };
      }
      // The same command decided for a call that was lost: that decision, not a second question.
      const stored = (await unusedDecisions(ctx, task)).find((d) =>
        d.request.command === request.command && d.request.file === request.file
      );
      if (stored) {
        await markUsed(ctx, task, stored.n);
        return verdictOf(stored);
      }
      const { reason: _shownInTheLogOnly, ...core } = request;
      const { n } = await askPermission(ctx, task, core);
      const decision = await waitForDecision(ctx, task, n); // no time window: the user may take days
      if (!decision) throw new Error(`Permission question ${n} ended without a decision`);
      await markUsed(ctx, task, n);
      return verdictOf(decision);
    },
    async turnText(text) {
      const task = workerIdentity(ctx.home).task ?? ctx.env.DISPATCH_TASK;
      if (task === undefined) return text;
      const notes: string[] = [];
      for (const d of await unusedDecisions(ctx, task).catch(() => [])) {
        notes.push(lostCallNote(d));
        if (d.decision === "deny") await markUsed(ctx, task, d.n); // told now; nothing left to answer
      }
      return notes.length > 0 ? `${text}\n\n${notes.join("\n")}` : text;
    },
  };
}
