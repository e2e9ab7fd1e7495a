/**
 * Permission requests: a question of `kind: "permission"` that a worker's
 * relay (a claude hook, the codex app-server client) records when the
 * worker wants a tool call its tier and rules do not allow. It lives beside
 * the other questions (`questions/NNN.json` in work/, same numbering) and is
 * answered `allow`, `always` or `deny`.
 *
 * Trust: the question file is the worker's and can be rewritten at any
 * time, so nothing that runs is taken from it. The supervisor journals the
 * request once (`runtime/question_journal.ts`); the answer copies the
 * request *as journaled* into `answers/NNN.json` (the trusted task folder),
 * and whatever later runs is taken from that answer. `always` also puts the
 * exact command, with its cwd, in the task's grants file (`grants.json`, trusted folder).
 * @module
 */
import { ensureDir, readJsonOrUndefined, readJsonSyncOrUndefined, writeJsonAtomic } from "./fsx.ts";
import { taskPaths } from "./paths.ts";
import {
  type Answer,
  listQuestions,
  MAX_MESSAGE_BYTES,
  messageFile,
  type Question,
  writeAnswerOnce,
} from "./questions.ts";
import { type JournalEvent, readEventsFor } from "./journal.ts";

/** What a worker asks permission for: a command (or a file write), where, and the CLI's id of the call. */
export interface PermissionRequest {
  /** The CLI's tool name (`Bash`, `commandExecution`, `fileChange`). */
  tool: string;
  command?: string;
  file?: string;
  /** Where the command runs (absolute). */
  cwd: string;
  /** The CLI's own id of the call (claude `tool_use_id`, codex `itemId`): a re-ask of it is the same request. */
  call?: string;
}

/** The user's decision on a permission request. */
export type Decision = "allow" | "always" | "deny";

/** The decision words, in the order the reply line shows them. */
export const DECISIONS: readonly Decision[] = Object.freeze(["allow", "always", "deny"]);

/** A permission answer as read back: the decision, its reason, and the request as it was journaled. */
export interface PermissionDecision {
  n: number;
  decision: Decision;
  reason?: string;
  request: PermissionRequest;
}

/** The longest tool name, cwd, file or call id accepted in a request. */
const MAX_FIELD = 4096;

function field(v: unknown, max = MAX_FIELD): string | undefined {
  return typeof v === "string" && v !== "" && v.length <= max && !v.includes("\0") ? v : undefined;
}

/**
 * The request in `raw` (a worker's file, a journal line) if it is well formed: a tool, an absolute
 * cwd, a one-line command or file, each within limits; undefined otherwise.
 */
export function checkRequest(raw: unknown): PermissionRequest | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const tool = field(r.tool, 64);
  const cwd = field(r.cwd);
  const command = r.command === undefined ? undefined : field(r.command, MAX_MESSAGE_BYTES);
  const file = r.file === undefined ? undefined : field(r.file);
  const call = r.call === undefined ? undefined : field(r.call, 256);
  if (!tool || !cwd || !cwd.startsWith("/")) return undefined;
  if ((r.command !== undefined && !command) || (r.file !== undefined && !file)) return undefined;
  if ((command === undefined) === (file === undefined)) return undefined; // exactly one of them
  if (r.call !== undefined && !call) return undefined;
  return {
    tool,
    ...(command !== undefined ? { command } : {}),
    ...(file !== undefined ? { file } : {}),
    cwd,
    ...(call !== undefined ? { call } : {}),
  };
}

/** The human line for a request: `run "npm install left-pad" in /path` or `write /path/x`. */
export function permissionText(r: PermissionRequest): string {
  return r.command !== undefined ? `run ${JSON.stringify(r.command)} in ${r.cwd}` : `write ${r.file}`;
}

/** True when `q` (a question file, not trusted) says it is a permission request. */
export function isPermissionQuestion(q: Question): boolean {
  return q.kind === "permission";
}

/**
 * Records a permission request from the worker side (call under the task's
 * ask lock, as `dispatch ask` does): a request whose `call` was recorded
 * before gets that question's number back (a resumed CLI re-asks the same
 * deferred call), otherwise the next number. `created` says which.
 */
export async function recordPermission(
  home: string,
  id: string,
  request: PermissionRequest,
  now: number,
): Promise<{ n: number; created: boolean }> {
  const p = taskPaths(home, id);
  await Promise.all([ensureDir(p.questions), ensureDir(p.receipts)]);
  const all = listQuestions(home, id);
  if (request.call !== undefined) {
    const same = all.find((q) => isPermissionQuestion(q) && q.request?.call === request.call);
    if (same) return { n: same.n, created: false };
  }
  const next = Math.max(0, ...all.map((q) => q.n), ...numbersOnDisk(p.questions)) + 1;
  const record: Question = { n: next, text: permissionText(request), ts: now, kind: "permission", request };
  await writeJsonAtomic(`${p.questions}/${messageFile(next)}`, record);
  return { n: next, created: true };
}

/** Question numbers with a file in `dir`, parsed or not (a torn file still holds its number). */
function numbersOnDisk(dir: string): number[] {
  const out: number[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (/^\d+\.json$/.test(e.name)) out.push(Number(e.name.slice(0, -5)));
    }
  } catch {
    // no folder yet
  }
  return out;
}

/** The number of the permission question recorded for `call`, if any (read from work/: a lookup only). */
export function permissionForCall(home: string, id: string, call: string): number | undefined {
  return listQuestions(home, id).find((q) => isPermissionQuestion(q) && q.request?.call === call)?.n;
}

/** The decision stored for question `n`, or undefined when it has none (or its answer is no permission answer). */
export async function readDecision(
  home: string,
  id: string,
  n: number,
): Promise<PermissionDecision | undefined> {
  const answer = await readJsonOrUndefined<Answer>(`${taskPaths(home, id).answers}/${messageFile(n)}`);
  return decisionOf(answer);
}

/** The same, synchronously (a hook answering at once). */
export function readDecisionSync(home: string, id: string, n: number): PermissionDecision | undefined {
  return decisionOf(readJsonSyncOrUndefined<Answer>(`${taskPaths(home, id).answers}/${messageFile(n)}`));
}

function decisionOf(answer: Answer | undefined): PermissionDecision | undefined {
  if (!answer || !DECISIONS.includes(answer.decision as Decision)) return undefined;
  const request = checkRequest(answer.request);
  if (!request) return undefined;
  return {
    n: answer.n,
    decision: answer.decision as Decision,
    ...(answer.reason ? { reason: answer.reason } : {}),
    request,
  };
}

/**
 * Stores the decision on question `n` exactly once, with `request` as the
 * supervisor journaled it (the caller found it in the journal). `always`
 * adds the request's command (or file) to the task's grants. Call under the
 * task's lock. Throws StateError when already answered.
 */
export async function recordDecision(
  home: string,
  id: string,
  n: number,
  decision: Decision,
  reason: string | undefined,
  request: PermissionRequest,
  now: number,
): Promise<{ answer: Answer; event: Pick<JournalEvent, "type" | "question" | "text" | "kind"> }> {
  const text = reason ? `${decision}: ${reason}` : decision;
  const answer: Answer = { n, text, ts: now, decision, ...(reason ? { reason } : {}), request };
  await writeAnswerOnce(home, id, answer);
  if (decision === "always") await addGrant(home, id, request);
  return { answer, event: { type: "answered", question: n, text, kind: "permission" } };
}

/** A command an `always` answer granted, and where: the same text elsewhere is another request. */
export interface CommandGrant {
  command: string;
  cwd: string;
}

/** What `always` answers granted a task: exact commands (each in its cwd) and files. */
export interface Grants {
  commands: CommandGrant[];
  files: string[];
}

/** The task's grants file, in its trusted folder. */
export function grantsPath(home: string, id: string): string {
  return `${taskPaths(home, id).dir}/grants.json`;
}

function isCommandGrant(v: unknown): v is CommandGrant {
  const g = v as Partial<CommandGrant> | null;
  return typeof g === "object" && g !== null && typeof g.command === "string" && typeof g.cwd === "string";
}

/** The task's grants (empty when none). */
export function readGrants(home: string, id: string): Grants {
  const raw = readJsonSyncOrUndefined<Partial<Grants>>(grantsPath(home, id));
  const list = (v: unknown) => Array.isArray(v) ? v as unknown[] : [];
  return {
    commands: list(raw?.commands).filter(isCommandGrant),
    files: list(raw?.files).filter((s): s is string => typeof s === "string"),
  };
}

/** Adds the request's exact command and cwd (or file) to the task's grants. Call under the task's lock. */
export async function addGrant(home: string, id: string, request: PermissionRequest): Promise<void> {
  const grants = readGrants(home, id);
  if (request.command !== undefined) {
    if (isGranted(home, id, request.command, request.cwd)) return;
    grants.commands.push({ command: request.command, cwd: request.cwd });
  } else {
    if (grants.files.includes(request.file!)) return;
    grants.files.push(request.file!);
  }
  await writeJsonAtomic(grantsPath(home, id), grants);
}

/** True when an `always` answer granted exactly this command, in this cwd, for the task. */
export function isGranted(home: string, id: string, command: string, cwd: string): boolean {
  return readGrants(home, id).commands.some((g) => g.command === command && g.cwd === cwd);
}

/**
 * The permission requests the supervisor journaled for task `id`, by
 * question number: the first `question` event of each number, which is
 * what the user was shown (a later rewrite of the worker's file changes
 * nothing here).
 */
export async function journaledRequests(home: string, id: string): Promise<Map<number, PermissionRequest>> {
  const out = new Map<number, PermissionRequest>();
  const seen = new Set<number>();
  const { entries } = await readEventsFor(home, { task: id, type: "question" }, 0);
  for (const { event } of entries) {
    const n = event.question;
    if (typeof n !== "number" || seen.has(n)) continue;
    seen.add(n);
    const request = event.kind === "permission" ? checkRequest(event.request) : undefined;
    if (request) out.set(n, request);
  }
  return out;
}

/**
 * `questions` (from work/) as a reader should show them: a question the
 * supervisor journaled as a permission request shows that request and its
 * text, whatever the worker's file says now; a permission file not yet
 * journaled is left out until it is (nothing could answer it yet).
 */
export async function shownQuestions(home: string, id: string, questions: Question[]): Promise<Question[]> {
  if (questions.length === 0) return questions;
  const journaled = await journaledRequests(home, id);
  const out: Question[] = [];
  for (const q of questions) {
    const request = journaled.get(q.n);
    if (request) out.push({ n: q.n, ts: q.ts, text: permissionText(request), kind: "permission", request });
    else if (!isPermissionQuestion(q)) out.push({ n: q.n, ts: q.ts, text: q.text });
  }
  return out;
}
