/**
 * The PreToolUse hook's decision: approve a host session's Bash call when it
 * is exactly one of dispatch's own commands, and say nothing otherwise (the
 * user's own rules decide). The command must parse as one simple command
 * of the strict shell subset in `simple_command.ts`.
 * @module
 */
import { ancestorCarriesTask } from "./caller.ts";
import { parseSimpleCommand } from "./simple_command.ts";

/** One subcommand's grammar: its flags, whether each takes a value, and what else it accepts. */
interface Rule {
  /** Flag name (without dashes) → true when it takes a value. Short flags are written as "-n". */
  flags: Record<string, boolean>;
  /** How many positional words it takes (max Infinity for text). */
  min: number;
  max: number;
  /** "allowed": may read a heredoc; "required": must (with --plan -). */
  heredoc?: "allowed" | "required";
  /** Which positionals are task ids (as src/store/paths.ts shapes them: no `/`, no `..`). */
  ids?: "first" | "all";
  /** A check of the parsed flags beyond their names. */
  check?: (flags: Map<string, string[]>) => boolean;
  /** A check of the positionals and the heredoc body. */
  text?: (positionals: string[], stdin: string | undefined) => boolean;
}

/**
 * A permission grant (`allow`, `always`) is the user's to give: the host
 * model may not give one unprompted, so the user's own rules (and Claude
 * Code's prompt) decide. `deny` and ordinary answers are approved.
 */
function grantsNothing(positionals: string[], stdin: string | undefined): boolean {
  const text = positionals.length > 1 ? positionals.slice(1).join(" ") : stdin ?? "";
  return !/^(allow|always)\b/i.test(text.trimStart());
}

const TASK_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const VALUES = (...names: string[]) => Object.fromEntries(names.map((n) => [n, true]));
const RULES: Record<string, Rule> = {
  status: { flags: { all: false, json: false, "-n": true, n: true }, min: 0, max: 1, ids: "all" },
  result: { flags: {}, min: 1, max: 1, ids: "all" },
  logs: { flags: { "-n": true, n: true }, min: 1, max: 1, ids: "all" },
  answer: {
    flags: { question: true, "-q": true },
    min: 1,
    max: Infinity,
    heredoc: "allowed",
    ids: "first",
    text: grantsNothing,
  },
  // Read-only: the task's branch against its base. `merge` changes your checkout: your rules decide.
  diff: { flags: { stat: false, json: false }, min: 1, max: 1, ids: "all" },
  note: { flags: {}, min: 1, max: Infinity, heredoc: "allowed", ids: "first" },
  // Task ids only: `--all` stops every project's workers, which needs the user's own rule.
  cancel: { flags: { reason: true }, min: 1, max: Infinity, ids: "all" },
  resume: { flags: { message: true }, min: 1, max: 1, ids: "all" },
  // No --session: a command that reads another session's events needs the user's own rule.
  watch: { flags: { timeout: true }, min: 0, max: 0 },
  resolve: { flags: { "dry-run": false }, min: 1, max: Infinity },
  // The plan comes from the heredoc only (--plan FILE would hand any file to a worker); no
  // --tier full, no --cwd elsewhere, no --session of another host: those need the user.
  start: {
    flags: {
      ...VALUES("title", "model", "alias", "plan", "tier", "timeout", "stall"),
      json: false,
      worktree: false,
    },
    min: 0,
    max: 0,
    heredoc: "required",
    check: (f) =>
      f.get("plan")?.join() === "-" && f.has("title") &&
      (f.get("tier") ?? ["edit"]).every((t) => t === "read" || t === "edit"),
  },
};

/** True when `args` (after the subcommand) fit `rule`, read the way dispatch's strict flag parser reads them. */
function fits(rule: Rule, args: string[], stdin: string | undefined): boolean {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("-") && a !== "-") {
      const long = a.startsWith("--");
      const eq = long ? a.indexOf("=") : -1;
      const name = long ? a.slice(2, eq < 0 ? undefined : eq) : a;
      const takesValue = Object.hasOwn(rule.flags, name) ? rule.flags[name] : undefined;
      if (takesValue === undefined || (!long && a.length !== 2)) return false;
      let value = "";
      if (eq >= 0) {
        if (!takesValue) return false;
        value = a.slice(eq + 1);
      } else if (takesValue) {
        const next = args[++i];
        if (next === undefined) return false;
        value = next;
      }
      // A value that looks like a flag is read differently by different parsers: not approved.
      if (takesValue && value.startsWith("-") && value !== "-") return false;
      const key = long ? name : name.slice(1);
      flags.set(key, [...flags.get(key) ?? [], value]);
      continue;
    }
    positionals.push(a);
  }
  if (positionals.length < rule.min || positionals.length > rule.max) return false;
  if (positionals.some((p) => p.startsWith("-") || p === "")) return false;
  const ids = rule.ids === "all" ? positionals : rule.ids === "first" ? positionals.slice(0, 1) : [];
  if (!ids.every((id) => TASK_ID.test(id))) return false;
  if (stdin !== undefined && !rule.heredoc) return false;
  if (stdin === undefined && rule.heredoc === "required") return false;
  if (rule.text && !rule.text(positionals, stdin)) return false;
  return rule.check ? rule.check(flags) : true;
}

/** The subcommand `command` runs when the host may run it without asking ("status", "config show"). */
export function approvedSubcommand(command: string): string | undefined {
  const parsed = parseSimpleCommand(command.replace(/^[ \t]+/, ""));
  if (!parsed) return undefined;
  const [program, sub, ...args] = parsed.words;
  if (program !== "dispatch" || sub === undefined) return undefined;
  // The raw text must start with the bare name: no quotes, escapes or assignments before it.
  if (!/^[ \t]*dispatch[ \t]/.test(command)) return undefined;
  if (sub === "config") {
    return args.join(" ") === "show" && parsed.stdin === undefined ? "config show" : undefined;
  }
  const rule = Object.hasOwn(RULES, sub) ? RULES[sub] : undefined;
  return rule && fits(rule, args, parsed.stdin) ? sub : undefined;
}

/** The fields of the PreToolUse event this hook reads. */
export interface PreToolUseInput {
  "tool_name"?: string;
  "tool_input"?: { command?: unknown };
  "permission_mode"?: string;
}

/** What the decision needs to know about where it runs; {@linkcode systemSurroundings} is the real one. */
export interface Surroundings {
  env: Record<string, string>;
  /** True when a process of a dispatch task is this process's ancestor. */
  insideTask(): boolean;
  /** True when `dispatch` on the Bash tool's PATH is this plugin's launcher. */
  launcherIsOurs(): boolean;
}

/** The hook's output for `input`: an allow decision, or undefined to say nothing. */
export function preToolUseDecision(input: PreToolUseInput, where: Surroundings): string | undefined {
  if (input.tool_name !== "Bash") return undefined;
  const command = input.tool_input?.command;
  if (typeof command !== "string" || command.length > 65_536) return undefined;
  // Plan mode promises no changes; bypass modes need no help.
  if (input.permission_mode === "plan") return undefined;
  const sub = approvedSubcommand(command);
  // A worker's own Claude Code session (the plugin loads there too) approves nothing.
  if (!sub || where.env.DISPATCH_TASK !== undefined || where.insideTask()) return undefined;
  if (!where.launcherIsOurs()) return undefined;
  return JSON.stringify({
    hookSpecificOutput: {
      hookEventName: "PreToolUse",
      permissionDecision: "allow",
      permissionDecisionReason: `dispatch's own command (dispatch ${sub})`,
    },
  }) + "\n";
}

/**
 * True when the first `dispatch` on `path` is `launcher`, or there is none (Claude Code appends
 * the plugin's bin/ to the Bash tool's PATH). A relative entry (a folder a worker can write): false.
 */
export function launcherFirstOnPath(path: string, launcher: string): boolean {
  const real = (p: string) => {
    try {
      return Deno.realPathSync(p);
    } catch {
      return undefined;
    }
  };
  const ours = real(launcher);
  if (ours === undefined) return false;
  for (const dir of path.split(":")) {
    if (!dir.startsWith("/")) return false;
    const found = real(`${dir}/dispatch`);
    if (found !== undefined) return found === ours;
  }
  return true;
}

/** The real surroundings: this process's ancestors and PATH. */
export function systemSurroundings(env: Record<string, string>, launcher: string): Surroundings {
  return {
    env,
    insideTask: () => ancestorCarriesTask(),
    launcherIsOurs: () => launcherFirstOnPath(env.PATH ?? "", launcher),
  };
}
