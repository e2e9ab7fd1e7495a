/**
 * How the codex relay asks: the permission question of the worker's own task,
 * found from the process tree as `dispatch ask` finds it.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { workerIdentity } from "../ipc/caller.ts";
import { ask } from "../ipc/questions.ts";
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

/** Parses `allow|always|deny ["reason"]`. */
export function parseVerdict(text: string): PermissionVerdict {
  const m = /^\s*(allow|always|deny)\b\s*(.*)$/is.exec(text);
  if (!m) return { decision: "deny", reason: text.trim() };
  const reason = m[2]!.trim().replace(/^"(.*)"$/s, "$1");
  return { decision: m[1]!.toLowerCase() as PermissionVerdict["decision"], ...(reason ? { reason } : {}) };
}

/** The decider for this worker. */
export function permissionDecider(ctx: Ctx): PermissionDecider {
  const granted = new Set<string>();
  return {
    async decide(request) {
      const key = JSON.stringify([request.tool, request.command ?? request.file]);
      if (granted.has(key)) return { decision: "allow" };
      const task = await ownTask(ctx);
      const what = request.command !== undefined ? `run "${request.command}"` : `change ${request.file}`;
      const verdict = parseVerdict(await ask(ctx, task, `Permission: ${what} in ${request.cwd}`));
      if (verdict.decision === "always") granted.add(key);
      return verdict;
    },
    turnText: (text) => Promise.resolve(text),
  };
}
