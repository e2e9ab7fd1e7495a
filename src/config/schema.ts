/**
 * The shape of `config.yaml`, validated with zod. The three sections of the
 * earlier dispatch (`backends.<name>.command`, `models.<name>.backend`,
 * `aliases.<name>.{model,prompt}`) load unchanged; everything else is ours
 * and optional. Every field is checked here, at load time, so a bad value
 * is one line naming its path instead of a task that fails later: durations
 * parse and are more than zero, counts are whole numbers of at least 1,
 * names and commands are not empty, and a key no section knows is refused
 * (a typo would otherwise be ignored silently).
 * @module
 */
import { z } from "zod";
import { configDurationMs, DURATION_FORMS } from "../duration.ts";
import { TIERS } from "../tier.ts";
import { MAX_RULES, type RuleKind, ruleProblem } from "../rules.ts";

export { type Tier, TIERS } from "../tier.ts";

/** What `input` is, briefly, for "got ..." in errors. */
function shown(input: unknown): string {
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A duration: a string like the flags take, or a number of seconds; more than zero. */
const duration = z.custom<string | number>((v) => configDurationMs(v) !== undefined, {
  error: (iss) =>
    `expected a duration more than zero (${DURATION_FORMS}, or a number of seconds), got ${shown(iss.input)}`,
});

/** A count: a whole number of at least 1. */
const count = z.custom<number>((v) => Number.isSafeInteger(v) && (v as number) >= 1, {
  error: (iss) => `expected a whole number of at least 1, got ${shown(iss.input)}`,
});

/** A string that must say something. */
function nonEmpty(what: string) {
  return z.string().min(1, `expected ${what}, got an empty string`);
}

/** An environment variable's name. */
const envName = z.string().regex(
  /^[A-Za-z_][A-Za-z0-9_]*$/,
  "expected an environment variable name (letters, digits, _)",
);

/** An object whose unknown keys are refused with the keys it knows. */
function entry<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === "unrecognized_keys"
        ? `unknown key '${iss.keys.join("', '")}' (known: ${known})`
        : undefined,
  });
}

const backend = entry({
  /** Which adapter runs it; without one, `command` makes it a generic shell-command backend. */
  type: nonEmpty("an adapter type").optional(),
  /** Earlier dispatch: one shell string; the prompt is passed as one extra positional argument. */
  command: nonEmpty("a shell command").optional(),
  /** Extra flags for the CLI. */
  args: z.array(z.string()).optional(),
  /** Added to the worker's environment. */
  env: z.record(envName, z.string()).optional(),
  /** Flag used to pass the model to a command backend (default `--model`); empty string to omit. */
  model_flag: z.string().optional(),
  /** The executable for an adapter backend, when not the default name on PATH. */
  bin: nonEmpty("an executable name or path").optional(),
  max_concurrent: count.optional(),
  /** For the built-in scripted worker: the scenario file it follows. */
  scenario: nonEmpty("a scenario file path").optional(),
  /** The runner (a key of `runners:`) its workers run on, unless the alias or `--runner` names one. */
  runner: nonEmpty("a runner name").optional(),
});

const model = entry({
  backend: nonEmpty("a backend name"),
  /** The id the CLI gets, when it differs from the key. */
  model: nonEmpty("the model id the CLI takes").optional(),
  args: z.array(z.string()).optional(),
  /** The runner this model's workers run on (over its backend's). */
  runner: nonEmpty("a runner name").optional(),
});

/** One list of command patterns (src/rules.ts says what a pattern is). */
function ruleList(kind: RuleKind) {
  const rule = z.custom<string>((v) => ruleProblem(kind, v) === undefined, {
    error: (iss) => ruleProblem(kind, iss.input) ?? "expected a command pattern",
  });
  return z.array(rule).max(MAX_RULES, `expected at most ${MAX_RULES} rules`).optional();
}

/** Shell commands a worker may (`allow`) or may not (`deny`) run; deny wins. */
const permissions = entry({ allow: ruleList("allow"), deny: ruleList("deny") }).optional();

const alias = entry({
  model: nonEmpty("a model name"),
  prompt: z.string().optional(),
  tier: z.enum(TIERS, { error: (iss) => `expected read, edit or full, got ${shown(iss.input)}` }).optional(),
  permissions,
  /** The runner this alias's workers run on (over its model's and backend's). */
  runner: nonEmpty("a runner name").optional(),
});

/** Where workers run besides this machine: a batch scheduler (see runtime/runner.ts). */
const runner = entry({
  type: z.enum(["slurm"], { error: (iss) => `expected slurm, got ${shown(iss.input)}` }),
  /** Flags for the submit command (sbatch): --partition, --time, --mem, ... */
  args: z.array(z.string()).optional(),
  /** How often to look at the task's folders and its job (default 500ms): inotify does not cross NFS. */
  poll: duration.optional(),
});

/** A section that may be absent or left empty (`models:` with nothing under it): an empty mapping. */
function section<T extends z.ZodType>(item: T) {
  return z.record(nonEmpty("a name"), item).nullish().transform((v) => v ?? {});
}

/** The whole file. */
export const configSchema = entry({
  default: nonEmpty("a model or alias name").nullish().transform((v) => v ?? undefined),
  backends: section(backend),
  models: section(model),
  aliases: section(alias),
  runners: z.record(nonEmpty("a name"), runner).nullish().transform((v) => v ?? undefined).optional(),
  permissions,
  /** New worktrees: a setup command run in each before its worker starts, and its time limit (default 10m). */
  worktree: entry({
    setup: nonEmpty("a shell command").optional(),
    timeout: duration.optional(),
  }).nullish().transform((v) => v ?? undefined).optional(),
  limits: entry({
    max_concurrent: count.optional(),
    timeout: duration.optional(),
    stall: duration.optional(),
  }).nullish().transform((v) => v ?? undefined).optional(),
});

/** A validated config. */
export type Config = z.infer<typeof configSchema>;
/** One backend entry. */
export type BackendConfig = z.infer<typeof backend>;
/** One model entry. */
export type ModelConfig = z.infer<typeof model>;
/** One alias entry. */
export type AliasConfig = z.infer<typeof alias>;
/** One runner entry. */
export type RunnerConfig = z.infer<typeof runner>;
/** A `permissions` entry. */
export type PermissionsConfig = NonNullable<z.infer<typeof permissions>>;
