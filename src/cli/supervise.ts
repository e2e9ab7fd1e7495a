/**
 * `dispatch _supervise ID [--resume]`: internal; the detached supervisor
 * `start` and `resume` launch.
 * @module
 */
import type { Ctx } from "../context.ts";
import { assertTaskId, taskPaths } from "../store/paths.ts";
import { readSpec, readState } from "../store/tasks.ts";
import { loadConfig } from "../backends/config_file.ts";
import { adapterFor } from "../backends/registry.ts";
import { launchInput } from "../backends/launch_input.ts";
import { supervise } from "../runtime/supervisor.ts";

/** Runs the supervisor for one task. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const id = assertTaskId(args[0] ?? "");
  if (args[1] === "--resume") {
    const paths = taskPaths(ctx.home, id);
    const spec = readSpec(ctx.home, id);
    const state = readState(ctx.home, id);
    const config = await loadConfig(ctx.home);
    const adapter = await adapterFor(config, spec.backend);
    const message = await Deno.readTextFile(`${paths.dir}/resume.md`);
    const launch = adapter.resume!(
      launchInput(ctx, config, spec, message, `${paths.dir}/resume.md`),
      state.nativeSession!,
      message,
    );
    await supervise(ctx, id, { launch });
  } else {
    await supervise(ctx, id);
  }
  return 0;
}
