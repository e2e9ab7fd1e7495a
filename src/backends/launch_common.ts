/**
 * What every CLI adapter does the same way when it builds a command line:
 * the executable (`backends.X.bin`), the user's extra flags
 * (`backends.X.args`, then `models.Y.args`), the user's environment
 * (`backends.X.env`, which wins over the adapter's own), and the paths a
 * worker must be allowed to touch whatever its tier.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { taskPaths } from "../store/paths.ts";
import type { LaunchInput, LaunchSpec } from "./types.ts";
import type { TierFlags, TierMapping, TierVars } from "./tiers.ts";

/** The executable: `backends.X.bin` when set, else the CLI's usual name on PATH. */
export function executable(input: LaunchInput, defaultBin: string): string {
  const bin = input.backend.bin?.trim();
  return bin ? bin : defaultBin;
}

/** The user's extra flags: the backend's, then the model's (so a model can refine its backend). */
export function extraArgs(input: LaunchInput): string[] {
  return [...(input.backend.args ?? []), ...(input.modelArgs ?? [])];
}

/** The adapter's own variables with the backend's `env` on top: the user's configuration wins. */
export function mergedEnv(input: LaunchInput, own: Record<string, string> = {}): Record<string, string> {
  return { ...own, ...(input.backend.env ?? {}) };
}

/**
 * The paths a worker needs whatever its tier: its task folder (plan,
 * output, questions), `$DISPATCH_HOME` and the helper itself.
 */
export function tierVars(input: LaunchInput): TierVars {
  const paths = taskPaths(input.home, input.spec.id);
  return {
    bin: input.bin ?? "dispatch",
    taskDir: paths.dir,
    workDir: paths.work,
    home: input.home,
    taskId: input.spec.id,
    rules: input.spec.permissions ?? { allow: [], deny: [] },
  };
}

/** This launch's tier flags from the CLI's mapping; a tier the CLI cannot honour is a ConfigError. */
export function tierFor(tiers: TierMapping, input: LaunchInput): TierFlags {
  const flags = tiers[input.tier](tierVars(input));
  if (flags.unsupported) throw new ConfigError(flags.unsupported);
  return flags;
}

/** What differs between the CLIs' launches, for {@linkcode cliLaunch}. */
export interface CliLaunchParts {
  /** After the tier's flags, before the user's (e.g. `--resume <session>`). */
  extra?: string[];
  /** After the user's flags (codex: the session, then `-` for stdin). */
  end?: string[];
  /** The adapter's own variables; the tier's and then the user's win over them. */
  env?: Record<string, string>;
}

/**
 * A worker CLI's launch, built the same way for every CLI: `head` (the
 * executable and the CLI's fixed flags), the tier's flags, `extra`, the
 * user's flags, `end`; the prompt file on stdin; the tier's files.
 */
export function cliLaunch(
  input: LaunchInput,
  tiers: TierMapping,
  head: string[],
  parts: CliLaunchParts = {},
): LaunchSpec {
  const tier = tierFor(tiers, input);
  return {
    argv: [...head, ...tier.args, ...(parts.extra ?? []), ...extraArgs(input), ...(parts.end ?? [])],
    env: mergedEnv(input, { ...parts.env, ...tier.env }),
    stdin: "prompt",
    ...(input.promptFile ? { stdinFile: input.promptFile } : {}),
    ...(tier.files ? { files: tier.files } : {}),
    ...(tier.confine ? { confine: tier.confine } : {}),
  };
}
