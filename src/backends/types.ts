/**
 * What a backend adapter knows about its worker CLI: how to launch it
 * headless, how to resume it, and how to read its output.
 * @module
 */
import type { BackendConfig, Tier } from "../config/schema.ts";
import type { TaskSpec, Usage } from "../store/tasks.ts";

/** Everything an adapter needs to build a command line. */
export interface LaunchInput {
  spec: TaskSpec;
  backend: BackendConfig;
  /** The full prompt text (also in the prompt file). */
  prompt: string;
  promptFile: string;
  tier: Tier;
  /** The argv that runs this helper (for the built-in scripted worker). */
  self: string[];
}

/** A process to start. */
export interface LaunchSpec {
  /** Executable and arguments, never through a shell unless the user's own command string. */
  argv: string[];
  /** Added to the worker's environment. */
  env?: Record<string, string>;
  /** Removed from the worker's environment (e.g. Claude Code's nesting guards). */
  unsetEnv?: string[];
  /** What the worker reads on stdin: the prompt file, or nothing (/dev/null). */
  stdin: "prompt" | "null";
}

/** What an adapter reads from a finished run's output. */
export interface RunReport {
  nativeSession?: string;
  /** Figures for this run only. */
  usage?: Usage;
  /** Why an exit 0 is not a success (refused tools, no work), if so. */
  failure?: string;
  /** The worker hit a rate limit and should be retried later. */
  rateLimited?: boolean;
}

/** One worker CLI. */
export interface BackendAdapter {
  /** The adapter's name (`command`, `scripted`, `claude`, ...). */
  readonly name: string;
  launch(input: LaunchInput): LaunchSpec;
  /** Continues the CLI's own session with `message`; absent when the CLI cannot. */
  resume?(input: LaunchInput, nativeSession: string, message: string): LaunchSpec;
  /** Reads the session id, usage and outcome from the worker's output. */
  report?(log: string): RunReport;
}
