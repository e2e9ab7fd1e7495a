/**
 * The status board (`dispatch status`) in text and JSON. In text, what a
 * worker wrote (questions, the next item, reasons, its output) and what came
 * with it (title, names, paths) is escaped onto its line and capped
 * (`quote.ts`); the JSON is data, made safe for a terminal by the caller.
 * @module
 */
import { formatDuration } from "../duration.ts";
import { progressBar } from "../plan/checklist.ts";
import type { TaskView } from "../runtime/view.ts";
import { renderUsageTotals, sumUsage } from "./usage_totals.ts";
import { gutterLines, inline, LINE_CAP, QUESTION_CAP, REASON_CAP } from "./quote.ts";

function elapsed(v: TaskView, now: number): number {
  const start = v.state.started ?? v.spec.created;
  return (v.state.ended ?? now) - start;
}

function usageText(v: TaskView): string {
  const u = v.state.usage;
  if (!u) return "";
  const parts = [];
  if (u.inputTokens !== undefined || u.outputTokens !== undefined) {
    parts.push(`${u.inputTokens ?? 0} in/${u.outputTokens ?? 0} out tok`);
  }
  if (u.costUsd !== undefined) parts.push(`$${u.costUsd.toFixed(4)}`);
  return parts.join(", ");
}

/** Another unmerged worktree task whose branch changes the same files (runtime/overlap.ts). */
export interface OverlapView {
  task: string;
  files: string[];
}

/** One task as the stable JSON shape documented in the README (`version: 1`). */
export function taskJson(v: TaskView, now: number, overlaps: OverlapView[] = []) {
  return {
    id: v.spec.id,
    title: v.spec.title,
    state: v.shown,
    model: v.spec.model,
    backend: v.spec.backend,
    alias: v.spec.alias ?? null,
    tier: v.spec.tier,
    cwd: v.spec.cwd,
    project: v.spec.project,
    worktree: v.spec.worktree
      ? { path: v.spec.worktree.path, branch: v.spec.worktree.branch, base: v.spec.worktree.base ?? null }
      : null,
    merged: v.state.merged
      ? {
        into: v.state.merged.into,
        commit: v.state.merged.commit,
        at: new Date(v.state.merged.at).toISOString(),
      }
      : null,
    overlaps,
    session: v.spec.session ?? null,
    progress: { done: v.progress.done, total: v.progress.total },
    created: new Date(v.spec.created).toISOString(),
    elapsed_ms: elapsed(v, now),
    last_activity: v.lastActivity ? new Date(v.lastActivity).toISOString() : null,
    questions: v.questions.map((q) =>
      q.kind === "permission" && q.request
        ? { n: q.n, text: q.text, kind: "permission", request: q.request }
        : { n: q.n, text: q.text }
    ),
    exit_code: v.state.code ?? null,
    reason: v.state.reason ?? null,
    native_session: v.state.nativeSession ?? null,
    usage: {
      input_tokens: v.state.usage?.inputTokens ?? null,
      output_tokens: v.state.usage?.outputTokens ?? null,
      cost_usd: v.state.usage?.costUsd ?? null,
    },
    pid: v.state.pid ?? null,
    containment: v.state.containment ?? null,
    sandbox: v.state.sandbox ?? null,
    /** Protected project files the worker changed, which dispatch put back (runtime/guard.ts). */
    guarded: v.state.guarded ?? [],
    runner: v.spec.runner?.name ?? "local",
    job_id: v.state.job?.id ?? null,
    output: v.hasOutput ? v.outputPath : null,
    /** Set when part of the task could not be read: what, in one line. */
    damaged: v.damaged ?? null,
  };
}

/** The line under a task that shares files with others: ids and (escaped, capped) paths. */
function overlapLine(overlaps: OverlapView[]): string {
  const each = overlaps.map((o) =>
    `${o.task} in ${o.files.slice(0, 3).map((f) => inline(f, 80)).join(", ")}${
      o.files.length > 3 ? ` +${o.files.length - 3} more` : ""
    }`
  );
  return inline(`overlaps ${each.join("; ")}`, LINE_CAP);
}

/** The compact board: one line per task, its open question and its overlaps under it. */
export function renderBoard(
  views: TaskView[],
  now: number,
  overlaps: ReadonlyMap<string, OverlapView[]> = new Map(),
): string {
  if (views.length === 0) return "No tasks. Start one with /dispatch or 'dispatch start'.\n";
  const idWidth = Math.max(4, ...views.map((v) => v.spec.id.length));
  const modelOf = (v: TaskView) => inline(`${v.spec.model}/${v.spec.backend}`, 40);
  const modelWidth = Math.max(5, ...views.map((v) => modelOf(v).length));
  const lines = [
    `${"TASK".padEnd(idWidth)}  ${"STATE".padEnd(9)} ${"MODEL".padEnd(modelWidth)}  ${"PLAN".padEnd(16)} ${
      "TIME".padEnd(7)
    } ACTIVITY`,
  ];
  for (const v of views) {
    const plan = `${progressBar(v.progress.done, v.progress.total)} ${v.progress.done}/${v.progress.total}`;
    const activity = v.lastActivity ? `${formatDuration(now - v.lastActivity)} ago` : "-";
    lines.push(
      `${v.spec.id.padEnd(idWidth)}  ${v.shown.padEnd(9)} ${modelOf(v).padEnd(modelWidth)}  ${
        plan.padEnd(16)
      } ${formatDuration(elapsed(v, now)).padEnd(7)} ${activity}`,
    );
    for (const q of v.questions) {
      const asks = q.kind === "permission" ? "permission: " : "";
      lines.push(`${" ".repeat(idWidth + 2)}? (${q.n}) ${asks}${inline(q.text, LINE_CAP)}`);
    }
    if (v.shown === "failed" || v.shown === "cancelled" || (v.shown === "queued" && v.state.job)) {
      lines.push(`${" ".repeat(idWidth + 2)}${inline(v.state.reason ?? "", REASON_CAP)}`);
    }
    const shared = overlaps.get(v.spec.id) ?? [];
    if (shared.length > 0) lines.push(`${" ".repeat(idWidth + 2)}! ${overlapLine(shared)}`);
  }
  const totals = renderUsageTotals(sumUsage(views.map((v) => v.state.usage)));
  if (totals) lines.push(totals);
  return lines.join("\n") + "\n";
}

/** The detailed view of one task, with the last lines of its activity. */
export function renderDetail(v: TaskView, tail: string[], now: number): string {
  const s = v.state;
  const lines = [
    `${v.spec.id}: ${inline(v.spec.title)}`,
    `  state     ${v.shown}${s.reason ? ` (${inline(s.reason, REASON_CAP)})` : ""}${
      s.code !== undefined && s.code !== null ? `, exit ${s.code}` : ""
    }`,
    `  model     ${v.spec.alias ? `${inline(v.spec.alias)} = ` : ""}${inline(v.spec.model)} via ${
      inline(v.spec.backend)
    } (${inline(v.spec.modelId)}), tier ${v.spec.tier}`,
    `  plan      ${progressBar(v.progress.done, v.progress.total)} ${v.progress.done}/${v.progress.total}${
      v.progress.next ? `; next: ${inline(v.progress.next, LINE_CAP)}` : ""
    }`,
    `  time      ${formatDuration(elapsed(v, now))}${
      v.lastActivity ? `, last activity ${formatDuration(now - v.lastActivity)} ago` : ""
    }`,
    `  cwd       ${inline(v.spec.cwd, 1000)}`,
  ];
  if (v.spec.worktree) {
    lines.push(
      `  worktree  ${inline(v.spec.worktree.path, 1000)} (branch ${inline(v.spec.worktree.branch)})`,
    );
  }
  if (s.nativeSession) lines.push(`  session   ${inline(s.nativeSession)}`);
  if (v.spec.runner) {
    lines.push(
      `  runner    ${inline(v.spec.runner.name)} (${v.spec.runner.type}${s.job ? `, job ${s.job.id}` : ""})`,
    );
  }
  const usage = usageText(v);
  if (usage) lines.push(`  usage     ${usage}`);
  for (const q of v.questions) {
    const asks = q.kind === "permission" ? "permission: " : "";
    lines.push(`  question  (${q.n}) ${asks}${inline(q.text, QUESTION_CAP)}`);
  }
  if (v.hasOutput) lines.push(`  result    ${v.outputPath}`);
  if (tail.length > 0) {
    lines.push("  activity:");
    // The worker's own lines, each under the gutter: none can pass for a line of ours.
    for (const l of gutterLines(tail, LINE_CAP)) lines.push(`    ${l}`);
  }
  return lines.join("\n") + "\n";
}
