/**
 * Building an adapter's {@linkcode LaunchInput} from the task and the
 * config, in one place for the fresh launch and the resume.
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { TaskSpec } from "../store/tasks.ts";
import { backendConfig } from "./registry.ts";
import type { LaunchInput } from "./types.ts";

/** Where the launch runs from: the helper's home, argv and path. */
export interface LaunchContext {
  home: string;
  self: string[];
  bin: string;
}

/**
 * The input for launching `spec`'s worker with `prompt` (the text of
 * `promptFile`): its backend's config entry and the model's extra flags.
 */
export function launchInput(
  ctx: LaunchContext,
  config: Config,
  spec: TaskSpec,
  prompt: string,
  promptFile: string,
): LaunchInput {
  const modelArgs = config.models[spec.model]?.args;
  return {
    spec,
    backend: backendConfig(config, spec.backend),
    prompt,
    promptFile,
    tier: spec.tier,
    self: ctx.self,
    home: ctx.home,
    bin: ctx.bin,
    ...(modelArgs && modelArgs.length > 0 ? { modelArgs } : {}),
  };
}
