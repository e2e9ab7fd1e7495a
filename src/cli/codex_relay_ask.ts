/**
 * How the codex relay asks: permission questions of the worker's own task
 * (found from the process tree, as `dispatch ask` finds it) through the
 * relay core (`ipc/permissions.ts`), with what the core already knows first.
 *
 * - A command an `always` answer granted (exact, in the same cwd) runs
 *   without a question. The task's rules never do: they say what may run
 *   *inside* the sandbox, and an escalation asks to leave it (`cat *` would
 *   cover `cat x; sh evil`, `git diff *` a `--output` anywhere).
 * - An `accept` goes only to the very request the user answered: a decision
 *   whose journaled request differs from codex's (the worker rewrote its
 *   question file before the supervisor read it, or planted one for the
 *   call id) is a `decline`.
 * - A decision is *used* once the relay hands it to codex, and the relay
 *   notes that in the task's trusted folder (`codex_relay_used.json`, which
 *   the sandboxed model cannot write, so it cannot make an `allow` run twice).
 *   A decision no relay used is one whose worker died while it waited: the
 *   resumed relay tells the model about it in its turn text and answers the
 *   model's repeat of that exact command (a new call id: the old one came
 *   back `aborted`) from it, unasked.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { workerIdentity } from "../ipc/caller.ts";
import { askPermission, waitForDecision } from "../ipc/permissions.ts";
import {
  isGranted,
  journaledRequests,
  type PermissionDecision,
  type PermissionRequest as CoreRequest,
  readDecision,
  readGrants,
} from "../store/permissions.ts";
import { taskPaths } from "../store/paths.ts";
import { readJsonOrUndefined, writeJsonAtomic } from "../store/fsx.ts";
import type { PermissionRequest, PermissionVerdict } from "../backends/codex/relay.ts";
import { realDir } from "../runtime/permission_hook.ts";

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

/** Where the relay notes the decisions it handed to codex (the task's trusted folder). */
export function usedPath(home: string, task: string): string {
  return `${taskPaths(home, task).dir}/codex_relay_used.json`;
}

async function usedNumbers(home: string, task: string): Promise<number[]> {
  const raw = await readJsonOrUndefined<unknown>(usedPath(home, task));
  return Array.isArray(raw) ? raw.filter((n): n is number => typeof n === "number") : [];
}

async function markUsed(home: string, task: string, n: number): Promise<void> {
  const used = await usedNumbers(home, task);
  if (!used.includes(n)) await writeJsonAtomic(usedPath(home, task), [...used, n]);
}

/**
 * Decisions on this task's permission questions that no relay has used yet,
 * oldest first: the questions as the supervisor journaled them, the
 * decisions from the trusted answers, never the worker's own files.
 */
export async function unusedDecisions(home: string, task: string): Promise<PermissionDecision[]> {
  const used = new Set(await usedNumbers(home, task));
  const out: PermissionDecision[] = [];
  for (const n of [...(await journaledRequests(home, task)).keys()].sort((a, b) => a - b)) {
    if (used.has(n)) continue;
    const decision = await readDecision(home, task, n);
    if (decision) out.push(decision);
  }
  return out;
}

/** True when the user's decision was on exactly this request: same tool, command or file, and cwd. */
function sameRequest(decided: CoreRequest, asked: CoreRequest): boolean {
  return decided.tool === asked.tool && decided.command === asked.command && decided.file === asked.file &&
    decided.cwd === asked.cwd;
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

/** The decider for this worker; `findTask` names its task (the process tree's answer by default). */
export function permissionDecider(
  ctx: Ctx,
  findTask: () => Promise<string> = () => ownTask(ctx),
): PermissionDecider {
  return {
    async decide(request) {
      const task = await findTask();
      const { reason: _shownInTheLogOnly, ...asked } = request;
      // The user is shown the directory itself, not a link the model made in the project pointing elsewhere.
      const core = { ...asked, cwd: realDir(asked.cwd) };
      if (request.command !== undefined && isGranted(ctx.home, task, request.command, core.cwd)) {
        return { decision: "allow" };
      }
      if (request.file !== undefined && readGrants(ctx.home, task).files.includes(request.file)) {
        return { decision: "allow" };
      }
      // The same command decided for a call that was lost: that decision, not a second question.
      const stored = (await unusedDecisions(ctx.home, task)).find((d) => sameRequest(d.request, core));
      if (stored) {
        await markUsed(ctx.home, task, stored.n);
        return verdictOf(stored);
      }
      const { n } = await askPermission(ctx, task, core);
      const decision = await waitForDecision(ctx, task, n); // no time window: the user may take days
      if (!decision) throw new Error(`Permission question ${n} ended without a decision`);
      await markUsed(ctx.home, task, n);
      if (
        decision.decision !== "deny" &&
        (!sameRequest(decision.request, core) || realDir(asked.cwd) !== core.cwd)
      ) {
        return {
          decision: "deny",
          reason:
            "This request is not the one the user answered (its question file or its cwd changed since), so it was not run",
        };
      }
      return verdictOf(decision);
    },
    async turnText(text) {
      const task = await findTask();
      const notes: string[] = [];
      for (const d of await unusedDecisions(ctx.home, task)) {
        notes.push(lostCallNote(d));
        if (d.decision === "deny") await markUsed(ctx.home, task, d.n); // told now; nothing left to answer
      }
      return notes.length > 0 ? `${text}\n\n${notes.join("\n")}` : text;
    },
  };
}
