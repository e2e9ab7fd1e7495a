/**
 * Allow and deny rules for a worker's shell: command patterns, kept apart
 * from the zod schema so `dispatch start` checks `--allow`/`--deny` without
 * loading zod. A rule is an exact command (`npm test`) or a prefix followed
 * by ` *` (`git diff *`: `git diff` with or without more arguments). Words
 * are made of letters, digits and `_ . / : = @ % + , -`, one space apart:
 * no quotes, no shell operators (`; | & $ \` < >`), no globs but the final
 * ` *`, no newline or NUL. Each CLI's mapping (`src/backends/<cli>/rules.ts`)
 * turns them into its own syntax; `deny` always wins over `allow`.
 * @module
 */

/** The rules of one task, one config entry or one project file. */
export interface Rules {
  allow: string[];
  deny: string[];
}

/** Which list a rule is in. */
export type RuleKind = keyof Rules;

/** The longest rule accepted. */
export const MAX_RULE_LENGTH = 200;
/** The most rules one list may hold. */
export const MAX_RULES = 64;

const WORD = "[A-Za-z0-9_./:=@%+,-]+";
const RULE = new RegExp(`^${WORD}( ${WORD})*( \\*)?$`);

/** A rule split into its command and whether more arguments may follow. */
export interface RuleParts {
  command: string;
  prefix: boolean;
}

/** The parts of a valid rule. */
export function ruleParts(rule: string): RuleParts {
  return rule.endsWith(" *")
    ? { command: rule.slice(0, -2), prefix: true }
    : { command: rule, prefix: false };
}

function shown(rule: string): string {
  const text = JSON.stringify(rule.length > 60 ? `${rule.slice(0, 60)}…` : rule);
  return `'${text.slice(1, -1)}'`;
}

/** True when the rule's first word runs dispatch itself (by name or path). */
export function runsDispatch(rule: string): boolean {
  const first = rule.split(" ")[0]!;
  return first === "dispatch" || first.endsWith("/dispatch");
}

/**
 * Why `rule` is not a valid `kind` rule (a sentence fragment naming the fix),
 * or undefined when it is one.
 */
export function ruleProblem(kind: RuleKind, rule: unknown): string | undefined {
  if (typeof rule !== "string") return `expected a command pattern (text), got ${JSON.stringify(rule)}`;
  if (rule.includes("\0")) return "a rule may not contain a NUL byte";
  if (/[\n\r]/.test(rule)) return "a rule is one line";
  if (rule.length > MAX_RULE_LENGTH) return `${shown(rule)} is over ${MAX_RULE_LENGTH} characters`;
  if (rule.trim() === "") return "a rule may not be empty; give a command such as 'npm test' or 'git diff *'";
  if (rule === "*" || rule.startsWith("* ")) return `${shown(rule)} matches every command; name the command`;
  const op = /[;|&$`<>(){}\\'"!#~?[\]\t*]/.exec(rule.endsWith(" *") ? rule.slice(0, -2) : rule);
  if (op) {
    return `${shown(rule)} has '${
      op[0] === "\t" ? "\\t" : op[0]
    }' (a rule is a command such as 'npm test', or a prefix followed by ' *' such as 'git diff *'; no shell operators, quotes or other globs)`;
  }
  if (!RULE.test(rule)) {
    return `${
      shown(rule)
    } is not a command pattern (words of letters, digits and _./:=@%+,- one space apart, optionally ending in ' *')`;
  }
  if (kind === "allow" && runsDispatch(rule)) {
    return `${
      shown(rule)
    } runs dispatch (a worker may run only 'dispatch ask', which every tier grants already)`;
  }
  return undefined;
}

/**
 * The rules of `raw` (what a config file or the flags hold) checked: each
 * list an array of valid patterns, at most {@linkcode MAX_RULES} long. The
 * problem names `where` (e.g. `--allow`, `permissions.allow`); undefined
 * when all is well.
 */
export function rulesProblem(raw: Partial<Record<RuleKind, unknown>>, where: string): string | undefined {
  for (const kind of ["allow", "deny"] as const) {
    const list = raw[kind];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) return `${where}${kind}: expected a list of command patterns`;
    if (list.length > MAX_RULES) return `${where}${kind}: more than ${MAX_RULES} rules`;
    for (const rule of list) {
      const problem = ruleProblem(kind, rule);
      if (problem) return `${where}${kind}: ${problem}`;
    }
  }
  return undefined;
}

/** The rule sets together, in order, each rule once. */
export function mergeRules(...sets: (Partial<Rules> | undefined)[]): Rules {
  const allow = new Set<string>();
  const deny = new Set<string>();
  for (const set of sets) {
    for (const r of set?.allow ?? []) allow.add(r);
    for (const r of set?.deny ?? []) deny.add(r);
  }
  return { allow: [...allow], deny: [...deny] };
}

/** True when `rule` matches `command` (one simple command, words one space apart). */
export function ruleMatches(rule: string, command: string): boolean {
  const { command: base, prefix } = ruleParts(rule);
  return command === base || (prefix && command.startsWith(`${base} `));
}

/** True when `rules` let `command` run: an allow rule matches it and no deny rule does. */
export function allowedBy(rules: Rules, command: string): boolean {
  return !rules.deny.some((r) => ruleMatches(r, command)) && rules.allow.some((r) => ruleMatches(r, command));
}

/** What every `edit` task may run besides its own rules: read-only git and file listing. */
export const DEFAULT_EDIT_ALLOW: readonly string[] = Object.freeze([
  "git status",
  "git diff *",
  "git log *",
  "git show *",
  "ls *",
  "cat *",
  "pwd",
]);
