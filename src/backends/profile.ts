/**
 * What dispatch knows about one worker CLI besides how to run it: its
 * executable names and install hint, its tier mapping, how discovery finds
 * its models, what `dispatch doctor` checks, and the model family that is
 * its own. Each CLI's folder (`src/backends/<cli>/profile.ts`) exports one;
 * `registry.ts` lists them, and discovery, doctor and the tier table loop
 * over that list. The adapter and the auth check load on demand.
 * @module
 */
import type { BackendConfig } from "../config/schema.ts";
import type { ProbeResult } from "../proc/probe.ts";
import type { TierMapping } from "./tiers.ts";
import type { BackendAdapter } from "./types.ts";

/** How a CLI lists its models. */
export interface ListCommand {
  args: string[];
  /** Added to the probe's environment (e.g. to stay offline). */
  env?: Record<string, string>;
  parse(stdout: string): string[];
  /** Overrides the default time limit, with the reason in a comment. */
  timeoutMs?: number;
}

/** How discovery learns a CLI's models. */
export interface ModelDiscovery {
  /** The command that lists its models, when it has one. */
  list?: ListCommand;
  /** Names the CLI documents, used when it cannot list (or listing failed). */
  documented: string[];
  /** Plain words the CLI takes as model names (claude's `opus`): a request may name a model with them. */
  aliases?: readonly string[];
  /**
   * Model ids the CLI takes though it does not name them (its own family's
   * full ids). Consulted only when the CLI did not list its models: a name a
   * listing CLI does not list is more likely a typo than a new model.
   * `familyOf` judges a name's family, for CLIs that take their family's ids.
   */
  accepts?(name: string, familyOf: (name: string) => string | undefined): boolean;
}

/** A provider family whose own CLI this is (Anthropic's is claude, OpenAI's codex...). */
export interface FamilySpec {
  family: string;
  /** Heading used in config.yaml for this family's models. */
  label: string;
  /** Provider prefixes used by multi-provider CLIs (opencode: `anthropic/claude-...`). */
  prefixes: string[];
  /** Names of this family, without a provider prefix. */
  pattern: RegExp;
}

/** What an auth check may look at. */
export interface AuthInput {
  /** The backend's name in config.yaml. */
  name: string;
  /** The environment the worker would get. */
  env: Record<string, string>;
  backend: BackendConfig;
  /** Models configured on this backend. */
  models: string[];
  /** Runs the CLI with `args` (bounded in time). */
  probe(args: string[]): Promise<ProbeResult>;
}

/** An auth check's answer. */
export interface AuthOutcome {
  ok: boolean;
  detail: string;
  fix?: string;
}

/**
 * One `--help` a doctor reads: the flags it must list are the long flags the
 * adapter passes on a fresh launch (`launch`), on a resume (`resume`) or both,
 * in every tier; `commands` are subcommands it must list.
 */
export interface HelpCheck {
  args: string[];
  from: "launch" | "resume" | "both";
  commands?: string[];
}

/** What `dispatch doctor` checks for a CLI. */
export interface DoctorSpec {
  /** The `--help` invocations that list the headless flags. */
  help: HelpCheck[];
  /** The long name of each short flag the adapter passes (`-p` is `--print`), as `--help` lists it. */
  longNames?: Record<string, string>;
  /** Is it authenticated, asked without spending a token. */
  auth(input: AuthInput): Promise<AuthOutcome>;
}

/** Everything about one worker CLI. */
export interface CliProfile {
  /** The adapter (backend type) name: `claude`, `codex`, ... */
  name: string;
  /** Human name, for messages. */
  label: string;
  /** Executable names, first found on PATH wins. */
  bins: string[];
  /** The command that installs it. */
  install: string;
  tiers: TierMapping;
  models: ModelDiscovery;
  /** The family whose own CLI this is, if any. */
  family?: FamilySpec;
  doctor: DoctorSpec;
  /** Loads the adapter that launches, resumes and reads it. */
  adapter(): Promise<BackendAdapter>;
}
