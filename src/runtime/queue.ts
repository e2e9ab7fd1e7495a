/**
 * The concurrency cap: a supervisor waits here for a slot before it starts
 * its worker, so a fan-out of twenty tasks runs at most N at a time (in
 * total, and per backend) instead of tripping the provider's rate limits.
 * Admission is decided under one home-wide lock, oldest task first.
 * @module
 */
import type { Ctx } from "../context.ts";
import type { Config } from "../config/schema.ts";
import { withLock } from "../store/lock.ts";
import { homePaths } from "../store/paths.ts";
import {
  listTaskIds,
  readState,
  type TaskSpec,
  type TaskStateName,
  trySpec,
  updateState,
} from "../store/tasks.ts";
import { isAlive, startTimeOf } from "../proc/procfs.ts";

/** Workers running at once when config sets no `limits.max_concurrent`. */
export const DEFAULT_MAX_CONCURRENT = 8;

/** States that hold a slot. */
const BUSY: ReadonlySet<TaskStateName> = new Set(["starting", "running", "stalled"]);

/** The caps that apply to a task. */
export function capsFor(config: Config, backend: string): { global: number; backend?: number } {
  return {
    global: config.limits?.max_concurrent ?? DEFAULT_MAX_CONCURRENT,
    backend: config.backends[backend]?.max_concurrent,
  };
}

interface Slot {
  spec: TaskSpec;
  state: TaskStateName;
}

/**
 * Pure admission rule: may `me` start now, given every task's spec and
 * state? Busy tasks count against the caps; queued tasks older than `me`
 * that would fit go first.
 */
export function admits(me: TaskSpec, tasks: Slot[], config: Config): boolean {
  const busy = tasks.filter((t) => t.spec.id !== me.id && BUSY.has(t.state));
  const fits = (spec: TaskSpec, extra: TaskSpec[]) => {
    const caps = capsFor(config, spec.backend);
    const all = [...busy.map((t) => t.spec), ...extra];
    if (all.length >= caps.global) return false;
    return caps.backend === undefined || all.filter((s) => s.backend === spec.backend).length < caps.backend;
  };
  const ahead: TaskSpec[] = [];
  const older = tasks
    .filter((t) => t.spec.id !== me.id && t.state === "queued" && t.spec.created < me.created)
    .sort((a, b) => a.spec.created - b.spec.created);
  for (const t of older) if (fits(t.spec, ahead)) ahead.push(t.spec);
  return fits(me, ahead);
}

async function snapshot(home: string): Promise<Slot[]> {
  const out: Slot[] = [];
  for (const id of await listTaskIds(home)) {
    const spec = trySpec(home, id);
    const state = readState(home, id);
    if (!spec) continue;
    // A queued or busy task whose supervisor is gone holds nothing.
    if (
      (BUSY.has(state.state) || state.state === "queued") && state.supervisor !== undefined &&
      !isAlive(state.supervisor, state.supervisorStart)
    ) continue;
    // Queued in a scheduler (runtime/runner.ts) is past its slot here: it holds it, as a running job does.
    out.push({ spec, state: state.state === "queued" && state.job ? "running" : state.state });
  }
  return out;
}

/** Options for {@linkcode waitForSlot}. */
export interface SlotOptions {
  /** Re-check at least this often (a slot also frees when a worker dies unreported). */
  pollMs?: number;
  signal?: AbortSignal;
}

/**
 * Resolves once task `spec.id` may start, having marked it `starting`;
 * until then it is `queued`. Resolves false if the task ended meanwhile
 * (cancelled while queued).
 */
export async function waitForSlot(
  ctx: Ctx,
  spec: TaskSpec,
  config: Config,
  opts: SlotOptions = {},
): Promise<boolean> {
  const home = ctx.home;
  const me = { supervisor: Deno.pid, supervisorStart: startTimeOf(Deno.pid) };
  const pollMs = opts.pollMs ?? 2000;
  // Any journal line (a task ending, above all) may free a slot.
  await using wake = ctx.watchDir(home, { match: (p) => p.endsWith("journal.jsonl"), pollMs });
  while (true) {
    const verdict = await withLock(homePaths(home).queueLock, async () => {
      const current = (readState(home, spec.id)).state;
      if (current !== "starting" && current !== "queued") return "ended" as const;
      const ok = admits(spec, await snapshot(home), config);
      await updateState(home, spec.id, (s) => ({ ...s, ...me, state: ok ? "starting" : "queued" }));
      return ok ? "go" as const : "wait" as const;
    });
    if (verdict !== "wait") return verdict === "go";
    if (opts.signal?.aborted) return false;
    await wake.wait(pollMs, opts.signal);
  }
}
