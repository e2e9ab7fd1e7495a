/**
 * The project's own `.dispatch.yaml` at the repository root. It is
 * repository content, so it may carry a prompt injection: only its
 * `permissions` and `worktree` keys are read (every other key is ignored),
 * and its permissions may only narrow what a worker may do or allow what
 * dispatch already deems safe (its `worktree.setup` command runs confined,
 * see runtime/worktree_setup.ts):
 *
 * - `deny` rules: any valid pattern (they only take away).
 * - `allow` rules: only commands covered by {@linkcode PROJECT_ALLOWABLE},
 *   the default read-only set and the recognised test commands (`npm test`,
 *   `git diff --stat`, `cargo test *`); never `dispatch`, a shell, or
 *   anything else. They apply in the `edit` tier only; a project file
 *   can never change the tier or which files a worker may write.
 *
 * Read like config.yaml: a regular file only (no symlink), at most
 * {@linkcode MAX_PROJECT_FILE_BYTES}, UTF-8 without NUL. A file that breaks
 * a rule is refused in one line naming it, and the task does not start.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { DEFAULT_EDIT_ALLOW, ruleParts, type Rules, rulesProblem } from "../rules.ts";
import { TEST_COMMANDS } from "../plan/test_commands.ts";
import { parseYamlText, readRegular, RefusedFile, refuseNul } from "./read.ts";
import { configDurationMs, DURATION_FORMS } from "../duration.ts";

/** The project file's name, at the repository root. */
export const PROJECT_FILE = ".dispatch.yaml";
/** The largest project file read. */
export const MAX_PROJECT_FILE_BYTES = 64 * 1024;

/** What a project file may allow: narrower forms of these (read-only commands and the tests). */
export const PROJECT_ALLOWABLE: readonly string[] = Object.freeze([
  ...DEFAULT_EDIT_ALLOW,
  ...TEST_COMMANDS.map((c) => `${c} *`),
]);

/** True when every command `rule` matches is matched by `by` too. */
export function coveredBy(rule: string, by: string): boolean {
  const r = ruleParts(rule);
  const b = ruleParts(by);
  if (!b.prefix) return !r.prefix && r.command === b.command;
  return r.command === b.command || r.command.startsWith(`${b.command} `);
}

/** Why a project may not allow `rule`, or undefined when it may. */
export function projectAllowProblem(rule: string): string | undefined {
  if (PROJECT_ALLOWABLE.some((by) => coveredBy(rule, by))) return undefined;
  return `'${rule}' is not one a project file may allow (only read-only git, ls, cat, pwd and the test commands: ${
    TEST_COMMANDS.join(", ")
  }); remove it, or pass --allow yourself`;
}

/** The text of `<project>/.dispatch.yaml`, or undefined when there is none; a ConfigError when refused. */
async function readProjectText(project: string): Promise<{ text: string; path: string } | undefined> {
  const path = `${project}/${PROJECT_FILE}`;
  let text: string;
  try {
    const { bytes } = await readRegular(path, MAX_PROJECT_FILE_BYTES);
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    if (e instanceof RefusedFile) throw new ConfigError(`Project file refused: ${e.message}`);
    if (e instanceof TypeError) {
      throw new ConfigError(`Project file is not UTF-8 text: ${path} (save it as UTF-8)`);
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      throw new ConfigError(
        `Project file unreadable: ${path}: permission denied (make it readable, or remove it)`,
      );
    }
    throw e;
  }
  refuseNul(text, path);
  return { text, path };
}

/**
 * The rules of `<project>/.dispatch.yaml`, or undefined when there is none.
 * A ConfigError (one line, naming the file) when it is refused.
 */
export async function loadProjectRules(project: string): Promise<Rules | undefined> {
  const file = await readProjectText(project);
  return file && parseProjectRules(file.text, file.path, await import("yaml"));
}

/** The project file's `worktree` section (`setup`, `timeout`), or undefined when it has none. */
export async function loadProjectWorktree(
  project: string,
): Promise<{ setup?: string; timeout?: string | number } | undefined> {
  const file = await readProjectText(project);
  return file && parseProjectWorktree(file.text, file.path, await import("yaml"));
}

/** The `worktree` section in project file text; `path` names it in errors. */
export function parseProjectWorktree(text: string, path: string, yaml: typeof import("yaml")) {
  const raw = parseYamlText(yaml, text, path) as Record<string, unknown> | null;
  const section = typeof raw === "object" && raw !== null ? raw.worktree : undefined;
  if (section === undefined || section === null) return undefined;
  const bad = (what: string) => new ConfigError(`Invalid project file ${path}: worktree: ${what}`);
  if (typeof section !== "object" || Array.isArray(section)) {
    throw bad("expected a mapping with setup, timeout");
  }
  const w = section as Record<string, unknown>;
  const unknown = Object.keys(w).filter((k) => k !== "setup" && k !== "timeout");
  if (unknown.length > 0) throw bad(`unknown key '${unknown.join("', '")}' (known: setup, timeout)`);
  if (
    w.setup !== undefined && (typeof w.setup !== "string" || w.setup.trim() === "" || /[\n\r]/.test(w.setup))
  ) {
    throw bad("setup: expected a one-line shell command");
  }
  if (w.timeout !== undefined && configDurationMs(w.timeout) === undefined) {
    throw bad(`timeout: expected a duration more than zero (${DURATION_FORMS}, or a number of seconds)`);
  }
  return { setup: w.setup as string | undefined, timeout: w.timeout as string | number | undefined };
}

/** The rules in project file text (see the module doc); `path` names it in errors. */
export function parseProjectRules(text: string, path: string, yaml: typeof import("yaml")): Rules {
  const raw = parseYamlText(yaml, text, path);
  const bad = (what: string) => new ConfigError(`Invalid project file ${path}: ${what}`);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw bad("expected a mapping with permissions");
  }
  const perms = (raw as Record<string, unknown>).permissions;
  if (perms === undefined || perms === null) return { allow: [], deny: [] };
  if (typeof perms !== "object" || Array.isArray(perms)) {
    throw bad("permissions: expected a mapping with allow, deny");
  }
  const unknown = Object.keys(perms).filter((k) => k !== "allow" && k !== "deny");
  if (unknown.length > 0) {
    throw bad(`permissions: unknown key '${unknown.join("', '")}' (known: allow, deny)`);
  }
  const p = perms as Partial<Record<"allow" | "deny", unknown>>;
  const problem = rulesProblem(p, "permissions.");
  if (problem) throw bad(problem);
  const rules = { allow: (p.allow ?? []) as string[], deny: (p.deny ?? []) as string[] };
  for (const rule of rules.allow) {
    const why = projectAllowProblem(rule);
    if (why) throw bad(`permissions.allow: ${why}`);
  }
  return rules;
}
