/**
 * What a backend adapter knows about its worker CLI: how to launch it
 * headless, how to resume it, and how to read its output.
 * @module
 */
import type { BackendConfig } from "../config/schema.ts";
import type { Tier } from "../tier.ts";
import type { TaskSpec, Usage } from "../store/tasks.ts";
import type { StatePath } from "../proc/confine.ts";

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
  /**
   * `$DISPATCH_HOME`, whose `tasks/<id>/` is the worker's task folder. Workers
   * write their questions and plan ticks there (and nothing else of the
   * home), so a CLI's sandbox lets them write that folder only.
   */
  home: string;
  /** Absolute path of the `dispatch` helper, which workers run to ask (`<bin> ask ...`). */
  bin?: string;
  /** Extra flags of the model entry (`models.<name>.args`); they come after the backend's own `args`. */
  modelArgs?: string[];
}

/** A process to start. */
export interface LaunchSpec {
  /** Executable and arguments, never through a shell unless the user's own command string. */
  argv: string[];
  /** Added to the worker's environment. */
  env?: Record<string, string>;
  /** Removed from the worker's environment (e.g. Claude Code's nesting guards). */
  unsetEnv?: string[];
  /** What the worker reads on stdin: a prompt file, or nothing (/dev/null). */
  stdin: "prompt" | "null";
  /**
   * The file fed on stdin when `stdin` is "prompt"; the task's prompt file
   * when absent. A resume feeds its message file instead.
   */
  stdinFile?: string;
  /** Files the CLI needs before it starts (absolute path to content), e.g. a policy file; written 0600. */
  files?: Record<string, string>;
  /** Run confined to the tier's grants, plus these state folders of the CLI (see TierFlags.confine). */
  confine?: StatePath[];
}

/** What `report` may look at besides this run's output. */
export interface ReportContext {
  /**
   * The worker's output from the task's earlier runs (before this one). Some
   * CLIs (codex, qwen, claude's cost) report figures that are cumulative over
   * a resumed session; adapters subtract what the same session reported
   * before, so the task's usage stays a sum of per-run figures.
   */
  earlierLog?: string;
  /** The worker's exit code, when known. */
  code?: number | null;
}

/** What an adapter reads from a finished run's output. */
export interface RunReport {
  nativeSession?: string;
  /** Figures for this run only. */
  usage?: Usage;
  /** Why an exit 0 is not a success (refused tools, no work), if so. */
  failure?: string;
  /** The worker failed on a rate limit (429, quota, overload) and should be retried later. */
  rateLimited?: boolean;
  /** The run stopped on a tool call its permission hook deferred (claude `tool_deferred`): it waits on a permission. */
  deferred?: DeferredCall;
  /** How many tool calls were refused (denied answers plus calls the rules refused); the run may still be done. */
  denied?: number;
  /** Which calls were refused, with the rule that would allow them: the reason when the plan is left unfinished. */
  refusal?: string;
}

/** The tool call a run stopped on, waiting on a permission. */
export interface DeferredCall {
  /** The CLI's id of the call (claude `tool_use_id`). */
  call: string;
  tool: string;
  command?: string;
}

/** One worker CLI. */
export interface BackendAdapter {
  /** The adapter's name (`command`, `scripted`, `claude`, ...). */
  readonly name: string;
  launch(input: LaunchInput): LaunchSpec;
  /** Continues the CLI's own session with `message`; absent when the CLI cannot. */
  resume?(input: LaunchInput, nativeSession: string, message: string): LaunchSpec;
  /** Reads the session id, usage and outcome from the worker's output. */
  report?(log: string, context?: ReportContext): RunReport;
}
