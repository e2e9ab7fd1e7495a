/**
 * The generic command backend: a shell string from config (as the earlier
 * dispatch wrote them). The model flag and the prompt are passed as
 * positional arguments to `sh -c`, never interpolated into the string.
 * @module
 */
import type { BackendAdapter, LaunchInput, LaunchSpec } from "../types.ts";

/** Runs `backends.<name>.command` through `sh -c`. */
export const commandBackend: BackendAdapter = {
  name: "command",
  launch(input: LaunchInput): LaunchSpec {
    const command = input.backend.command ?? "";
    const flag = input.backend.model_flag ?? "--model";
    const modelArgs = flag === "" ? [] : [flag, input.spec.modelId];
    const extra = [...(input.backend.args ?? []), ...(input.modelArgs ?? [])];
    return {
      argv: ["sh", "-c", `${command} "$@"`, "dispatch-worker", ...extra, ...modelArgs, input.prompt],
      ...(input.backend.env ? { env: input.backend.env } : {}),
      stdin: "null",
    };
  },
};
