/**
 * Every path under `$DISPATCH_HOME`, in one place.
 * @module
 */
import { InputError } from "../errors.ts";
import { registerHome } from "./safe_path.ts";

/** Task ids: a slug, a dash, four hex digits; nothing that can climb out of the tasks folder. */
const TASK_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Throws unless `id` is a well-formed task id (no `/`, no `..`, no spaces). */
export function assertTaskId(id: string): string {
  if (!TASK_ID.test(id)) {
    throw new InputError(
      `Invalid task id: '${id}' (expected lowercase letters, digits and dashes, as printed by 'dispatch start')`,
    );
  }
  return id;
}

/** Session ids come from Claude Code (UUIDs) or the user; keep them path-safe. */
export function assertSessionId(id: string): string {
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(id) || id.startsWith(".")) {
    throw new InputError(`Invalid session id: '${id}' (expected letters, digits, '-', '_' or '.')`);
  }
  return id;
}

/** Paths of the home folder. */
export function homePaths(home: string) {
  registerHome(home);
  return {
    home,
    config: `${home}/config.yaml`,
    configCache: `${home}/.config.cache.json`,
    tasks: `${home}/tasks`,
    journal: `${home}/journal.jsonl`,
    journalLock: `${home}/journal.lock`,
    sessions: `${home}/sessions`,
    errors: `${home}/errors.log`,
    /** The home-wide lock under which the concurrency cap admits tasks. */
    queueLock: `${home}/queue.lock`,
    /** Where `--worktree` tasks get their git worktrees. */
    worktrees: `${home}/worktrees`,
  };
}

/** The name of the policy file a gemini worker is given, in its task folder. */
export const GEMINI_POLICY_FILE = "gemini-policy.toml";

/** The name of the one folder inside a task's folder that its worker may write. */
export const WORK_FOLDER = "work";

/**
 * Paths of one task's folder. The folder itself is the trusted side's (spec,
 * state, answers, log); its worker may write only `work/` (plan, summary,
 * questions), so no worker can rewrite the tier it is resumed with or answer
 * its own question.
 */
export function taskPaths(home: string, id: string) {
  registerHome(home);
  const dir = `${home}/tasks/${assertTaskId(id)}`;
  const work = `${dir}/${WORK_FOLDER}`;
  return {
    home,
    dir,
    /** What the worker may write: plan.md, output.md, questions/, receipts/. */
    work,
    task: `${dir}/task.json`,
    state: `${dir}/state.json`,
    plan: `${work}/plan.md`,
    prompt: `${dir}/prompt.md`,
    log: `${dir}/worker.log`,
    output: `${work}/output.md`,
    exit: `${dir}/exit_code`,
    lock: `${dir}/lock`,
    questions: `${work}/questions`,
    answers: `${dir}/answers`,
    /** Written by the worker's `ask` when it has read an answer. */
    receipts: `${work}/receipts`,
    /** Serialises one worker's own asks (numbering); the trusted lock above is not the worker's to take. */
    askLock: `${work}/ask.lock`,
    notes: `${dir}/notes.md`,
    /** The end event of a run between its state write and its journal line (see runtime/announce.ts). */
    announce: `${dir}/announce.json`,
    /** Left by a cancel before it stops the tree, removed once recorded (a crash or a full disk between). */
    cancelled: `${dir}/cancelled`,
    /** The message a resumed worker gets (written by `resume`, read by its supervisor). */
    resume: `${dir}/resume.md`,
    /** Gemini's policy file: in the task folder, so it goes with the task. */
    geminiPolicy: `${dir}/${GEMINI_POLICY_FILE}`,
    /** The task's git worktree, when it runs in one. */
    worktree: `${home}/worktrees/${id}`,
  };
}

/** The session file that holds a host session's delivery cursors. */
export function sessionPath(home: string, session: string): string {
  registerHome(home);
  return `${home}/sessions/${assertSessionId(session)}.json`;
}
