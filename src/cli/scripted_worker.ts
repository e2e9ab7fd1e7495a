/**
 * `dispatch _scripted-worker [--scenario FILE]`: internal; the built-in
 * scripted worker (see worker/scripted_worker.ts).
 * @module
 */
import type { Ctx } from "../context.ts";
import { DEMO_SCENARIO, parseScenario, runScenario } from "../worker/scripted_worker.ts";

/** Runs a scenario as a worker. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const i = args.indexOf("--scenario");
  const text = i >= 0 && args[i + 1] ? await Deno.readTextFile(args[i + 1]!) : DEMO_SCENARIO;
  await ctx.stdin(); // the prompt; read to EOF like a real CLI does
  return await runScenario(parseScenario(text), ctx.env);
}
