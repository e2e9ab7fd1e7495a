/**
 * The decision of a claude worker's PreToolUse hook (`dispatch
 * permission-hook`, run by the worker's claude inside its sandbox: it reads
 * the task folder and writes only work/). For a Bash call:
 *
 * - a command the task's rules allow or deny, a read-only command claude
 *   allows itself, or dispatch itself: no answer (claude's own flags decide);
 * - a call with a decision: `deny` with the user's reason; `allow` when the
 *   command is the one approved and the supervisor ran it, with the command
 *   replaced by one that prints its stored output and exits with its code
 *   (it ran outside the sandbox, where it could); a changed command is denied;
 * - otherwise the request is recorded (once per call) and the answer is
 *   `defer`: claude ends the run with `tool_deferred`, and the answer resumes it.
 * @module
 */
import type { HomeCtx } from "../context.ts";
import { allowedBy, DEFAULT_EDIT_ALLOW, runsDispatch } from "../rules.ts";
import { withLock } from "../store/lock.ts";
import { taskPaths } from "../store/paths.ts";
import { permissionForCall, readDecisionSync, recordPermission } from "../store/permissions.ts";
import { readPermissionOutput } from "../store/permission_output.ts";
import { readSpec } from "../store/tasks.ts";

/** What claude sends a PreToolUse hook (the fields used). */
export interface HookInput {
  "tool_name"?: unknown;
  "tool_input"?: unknown;
  "tool_use_id"?: unknown;
  cwd?: unknown;
}

/** The hook's answer (`hookSpecificOutput` without the event name); undefined says nothing. */
export interface HookAnswer {
  permissionDecision: "allow" | "deny" | "defer";
  permissionDecisionReason?: string;
  updatedInput?: Record<string, unknown>;
}

/** Read-only commands claude runs in its working dirs without a rule: never worth a question. */
export const READ_ONLY_SILENT: readonly string[] = Object.freeze([
  ...DEFAULT_EDIT_ALLOW,
  ...["grep", "rg", "head", "tail", "wc", "find", "echo", "which", "sort", "diff", "stat", "tree", "file"]
    .map((c) => `${c} *`),
]);

/** Single-quotes `s` for sh. */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that stands in for an approved one: prints what it printed, exits as it did. */
export function replayCommand(outputFile: string, code: number): string {
  return `cat ${sq(outputFile)}; exit ${code}`;
}

/** Decides one PreToolUse call for task `id` (see the module doc). */
export async function decideHook(
  ctx: HomeCtx,
  id: string,
  input: HookInput,
): Promise<HookAnswer | undefined> {
  const toolInput = typeof input.tool_input === "object" && input.tool_input !== null
    ? input.tool_input as Record<string, unknown>
    : {};
  const command = typeof toolInput.command === "string" ? toolInput.command : undefined;
  const call = typeof input.tool_use_id === "string" ? input.tool_use_id : undefined;
  if (input.tool_name !== "Bash" || command === undefined || call === undefined) return undefined;
  const spec = readSpec(ctx.home, id);
  const rules = spec.permissions ?? { allow: [], deny: [] };
  const trimmed = command.trim();
  if (rules.deny.length > 0 && allowedBy({ allow: rules.deny, deny: [] }, trimmed)) return undefined;
  if (allowedBy(rules, trimmed) || runsDispatch(trimmed)) return undefined;
  if (allowedBy({ allow: [...READ_ONLY_SILENT], deny: [] }, trimmed)) return undefined;
  const asked = permissionForCall(ctx.home, id, call);
  if (asked !== undefined) {
    const decision = readDecisionSync(ctx.home, id, asked);
    if (!decision) return { permissionDecision: "defer" };
    if (decision.decision === "deny") {
      return {
        permissionDecision: "deny",
        permissionDecisionReason: `The user denied this command${
          decision.reason ? `: ${decision.reason}` : ""
        }`,
      };
    }
    if (decision.request.command !== command) {
      return {
        permissionDecision: "deny",
        permissionDecisionReason:
          "This command differs from the one the user approved, so it was not run; ask again for the command you need",
      };
    }
    const ran = readPermissionOutput(ctx.home, id, asked);
    if (!ran || ran.command !== command) return { permissionDecision: "defer" }; // the supervisor runs it, then resumes
    return {
      permissionDecision: "allow",
      permissionDecisionReason: "Approved by the user; it ran outside the sandbox and this is its output",
      updatedInput: { ...toolInput, command: replayCommand(ran.output, ran.code) },
    };
  }
  const cwd = realDir(typeof input.cwd === "string" && input.cwd.startsWith("/") ? input.cwd : spec.cwd);
  await withLock(
    taskPaths(ctx.home, id).askLock,
    () => recordPermission(ctx.home, id, { tool: "Bash", command, cwd, call }, ctx.now()),
  );
  return { permissionDecision: "defer" };
}

/**
 * `dir` with its links resolved (as it is when it exists): the user is shown, and the supervisor runs
 * in, the directory itself, never a link the worker made in the project that points elsewhere.
 */
export function realDir(dir: string): string {
  try {
    return Deno.realPathSync(dir);
  } catch {
    return dir;
  }
}
