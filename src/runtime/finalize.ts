/**
 * Recording how a worker ended, exactly once, whoever notices first: its
 * supervisor, or a reconcile after the supervisor itself was killed.
 * @module
 */
import type { Ctx } from "../context.ts";
import { progressOf } from "../plan/checklist.ts";
import { exists, writeJsonAtomic } from "../store/fsx.ts";
import { cancelMarker, LATE_CANCEL_REASON } from "./cancel.ts";
import { announceEnd } from "./announce.ts";
import { crashPoint } from "../proc/crash_point.ts";
import { readPlanSync } from "../store/plan_file.ts";
import { taskPaths } from "../store/paths.ts";
import { settleWorktree } from "./worktree_commit.ts";
import { openQuestions } from "../store/questions.ts";
import { factsFromLog } from "./permission_run.ts";
import { questionJournal } from "./question_journal.ts";
import {
  readSpec,
  readState,
  storable,
  type TaskState,
  TERMINAL,
  type Usage,
  withTaskLock,
} from "../store/tasks.ts";

/** How the worker process ended. */
export interface ExitFacts {
  /** Exit code; null when unknown (killed with no record). */
  code: number | null;
  signal?: string | null;
  /** Overrides the derived reason (timeout, supervisor failure). */
  reason?: string;
  /** Forces failure (e.g. timed out) regardless of the code. */
  failed?: boolean;
  /** Figures and session id read from the worker's output. */
  nativeSession?: string;
  usage?: Usage;
  /** The adapter's verdict on an exit 0 (refused tools, no work). */
  failure?: string;
  /** True when the worker's CLI can resume its session with an answer. */
  resumable?: boolean;
  /** The run stopped on a tool call waiting on a permission (claude's deferred call). */
  deferred?: boolean;
  /** Tool calls refused in the run (denied answers, calls the rules refused): told in the done notice. */
  denied?: number;
  /** Which calls were refused and the rule that would allow them: the reason if the plan is unfinished. */
  refusal?: string;
  /** Protected files the worker changed and the supervisor put back this run (runtime/guard.ts). */
  guarded?: string[];
}

/** Sums two usage records field by field (undefined stays undefined). */
export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!b) return a;
  if (!a) return b;
  const sum = (
    x?: number,
    y?: number,
  ) => (x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0));
  return {
    inputTokens: sum(a.inputTokens, b.inputTokens),
    outputTokens: sum(a.outputTokens, b.outputTokens),
    costUsd: sum(a.costUsd, b.costUsd),
  };
}

const SIGNALS: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  9: "SIGKILL",
  15: "SIGTERM",
  6: "SIGABRT",
  11: "SIGSEGV",
};

/**
 * Derives the final state and reason from the exit and the plan (undefined
 * when the plan file is gone). `startItems`, the plan's item count at start,
 * makes a plan that lost items a failure rather than a smaller success.
 */
export function outcome(
  exit: ExitFacts,
  plan: string | undefined,
  openQuestionCount: number,
  startItems?: number,
): { state: TaskState["state"]; reason: string } {
  const progress = progressOf(plan ?? "");
  if (exit.failed) return { state: "failed", reason: exit.reason ?? "Failed" };
  if (exit.deferred && exit.code === 0 && !exit.failure) {
    return openQuestionCount > 0 && exit.resumable
      ? { state: "waiting", reason: "Waiting on a permission: answering resumes its session" }
      : {
        state: "failed",
        reason: "Worker stopped on a deferred tool call that no permission question records",
      };
  }
  if (openQuestionCount > 0 && exit.resumable) {
    return { state: "waiting", reason: "Worker exited with a question open; answering resumes its session" };
  }
  if (exit.code === null) {
    return { state: "failed", reason: exit.reason ?? "Worker ended with no exit code recorded" };
  }
  if (exit.code !== 0) {
    const signal = exit.signal ?? (exit.code > 128 && exit.code < 160 ? SIGNALS[exit.code - 128] : undefined);
    const how = signal ? `killed by ${signal} (exit ${exit.code})` : `exited with code ${exit.code}`;
    return { state: "failed", reason: exit.reason ?? `Worker ${how}` };
  }
  const lost = planLoss(plan, progress.total, startItems);
  if (lost) return { state: "failed", reason: lost };
  if (progress.errors.length > 0) {
    return { state: "failed", reason: `Worker marked an item failed: ${progress.errors[0]}` };
  }
  if (exit.failure) return { state: "failed", reason: exit.failure };
  if (openQuestionCount > 0) {
    return { state: "failed", reason: `Worker exited 0 with ${openQuestionCount} question(s) unanswered` };
  }
  if (progress.done < progress.total) {
    const left = progress.total - progress.done;
    const unticked = `${left} of ${progress.total} items unticked`;
    return {
      state: "failed",
      reason: exit.refusal ? `${exit.refusal}; ${unticked}` : `Worker exited 0 with ${unticked}`,
    };
  }
  return {
    state: "done",
    reason: exit.denied ? `All items done; ${deniedWords(exit.denied)}` : "All items done",
  };
}

/** `1 call denied`, `N calls denied`. */
function deniedWords(n: number): string {
  return `${n} call${n === 1 ? "" : "s"} denied`;
}

/** Why the plan can no longer show the work was done, or undefined when it can. */
function planLoss(
  plan: string | undefined,
  total: number,
  startItems: number | undefined,
): string | undefined {
  const started = startItems ? ` (it started with ${startItems})` : "";
  if (plan === undefined) return `Plan is gone: the worker deleted plan.md${started}`;
  if (total === 0) return `Plan no longer parses: no '- [ ]' or '- [x]' items are left${started}`;
  if (startItems !== undefined && total < startItems) {
    return `Plan lost items: ${total} left of the ${startItems} the task started with`;
  }
  return undefined;
}

/**
 * Records the end of the current run. A task already in a terminal state
 * (cancelled, or finalized by someone else) keeps it; only missing facts
 * such as the exit code are added. Resolves with the state on disk.
 */
export function finalizeTask(
  ctx: Pick<Ctx, "home" | "now">,
  id: string,
  facts: ExitFacts,
): Promise<TaskState> {
  const home = ctx.home;
  // A reconcile (no supervisor is left to do it) journals what the worker asked before it exited.
  const sweep = facts.resumable === undefined
    ? questionJournal(ctx, readSpec(home, id)).then((j) => j.sweep()).catch(() => 0)
    : Promise.resolve(0);
  return sweep.then(() =>
    withTaskLock(home, id, async () => {
      const paths = taskPaths(home, id);
      const current = readState(home, id);
      // A reconcile (the supervisor is gone) knows only the code: an open question needs the run's own facts.
      const exit =
        facts.resumable === undefined && !TERMINAL.has(current.state) && openQuestions(home, id).length > 0
          ? { ...await factsFromLog(ctx, readSpec(home, id)), ...facts }
          : facts;
      const merged: TaskState = {
        ...storable(current),
        ...(exit.nativeSession ? { nativeSession: exit.nativeSession } : {}),
        usage: addUsage(current.usage, exit.usage),
        ...(exit.guarded?.length
          ? { guarded: [...new Set([...current.guarded ?? [], ...exit.guarded])] }
          : {}),
      };
      if (TERMINAL.has(current.state) && current.unreadable === undefined) {
        const next = { ...merged, code: current.code ?? exit.code };
        await writeJsonAtomic(paths.state, next);
        return next;
      }
      const plan = readPlanSync(paths.plan);
      const now = ctx.now();
      const open = openQuestions(home, id).length;
      const spec = readSpec(home, id);
      // A cancel that died (or hit a full disk) after its marker: the worker died of the cancel if it died
      // at all; one that exited on its own (a code below 128) outlived a cancel that never reached it.
      const cancelled = await exists(cancelMarker(home, id)) && (exit.code === null || exit.code >= 128);
      const { state, reason } = cancelled
        ? { state: "cancelled" as const, reason: LATE_CANCEL_REASON }
        : outcome(exit, plan, open, spec.planItems);
      const next: TaskState = { ...merged, state, reason, code: exit.code, ended: now };
      if (state === "waiting") delete next.ended;
      const progress = progressOf(plan ?? "");
      const type = state === "done" || state === "waiting" || state === "cancelled" ? state : "failed";
      // A worktree's branch holds all the work: what the worker left is committed, and the change counted.
      const branch = spec.worktree && !cancelled ? await settleWorktree(home, spec) : {};
      const fields = {
        type,
        text: reason,
        code: exit.code,
        done: progress.done,
        total: progress.total,
        ...(state === "done" && exit.denied ? { denied: exit.denied } : {}),
        ...(merged.guarded?.length ? { guarded: merged.guarded.length } : {}),
        ...branch,
      } as const;
      await announceEnd(home, spec, now, fields, async () => {
        await writeJsonAtomic(paths.state, next);
        crashPoint("finalize:state-written");
      });
      await Deno.remove(cancelMarker(home, id)).catch(() => {});
      return next;
    })
  );
}
