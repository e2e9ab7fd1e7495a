/**
 * `dispatch _codex-relay MODEL [THREAD] -- CODEX app-server ARGS…`:
 * internal; the codex adapter's worker in the read and edit tiers. Starts the
 * pinned `codex app-server` with the tier's and the user's `-c` flags, runs
 * one turn with the prompt from stdin (see backends/codex/relay.ts), and
 * relays the server's approval requests as permission questions of the task
 * whose worker this is.
 * @module
 */
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { linesOf } from "../backends/codex/rpc.ts";
import { runRelay } from "../backends/codex/relay.ts";
import { permissionDecider } from "./codex_relay_ask.ts";

/** How long the server gets to exit after its stdin closes, before SIGKILL. */
const EXIT_GRACE_MS = 2000;

/** The parsed command line. */
export interface RelayArgs {
  model: string;
  resume?: string;
  server: string[];
}

/**
 * Parses `MODEL [THREAD] -- argv…`. Positional, so that the doctor's check of
 * the adapter's long flags against codex's `--help` sees codex's flags only.
 */
export function parseRelayArgs(args: string[]): RelayArgs {
  const split = args.indexOf("--");
  const [model, resume, ...rest] = split < 0 ? args : args.slice(0, split);
  const server = split < 0 ? [] : args.slice(split + 1);
  if (!model || rest.length > 0 || server.length === 0) {
    throw new UsageError("Usage: dispatch _codex-relay MODEL [THREAD] -- CODEX app-server [ARGS]");
  }
  return { model, server, ...(resume ? { resume } : {}) };
}

/** Runs the relay; exits as the turn ended (0 completed, 1 not). */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = parseRelayArgs(args);
  const text = await ctx.stdin(); // the prompt, or the resume message
  const decider = permissionDecider(ctx);
  // Only a resumed run can find decisions an earlier run lost.
  const turnText = parsed.resume ? await decider.turnText(text) : text;
  const server = new Deno.Command(parsed.server[0]!, {
    args: parsed.server.slice(1),
    cwd: ctx.cwd,
    env: ctx.env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit", // codex's warnings land in the worker log, as under `codex exec`
  }).spawn();
  const writer = server.stdin.getWriter();
  const encoder = new TextEncoder();
  const code = await runRelay(
    { model: parsed.model, cwd: ctx.cwd, text: turnText, resume: parsed.resume },
    {
      channel: { lines: linesOf(server.stdout), send: (line) => writer.write(encoder.encode(line + "\n")) },
      log: (event) => ctx.stdout(JSON.stringify(event) + "\n"),
      decide: (request) => decider.decide(request),
      version: "0.1.0",
    },
  );
  await writer.close().catch(() => {});
  const timer = setTimeout(() => {
    try {
      server.kill("SIGKILL");
    } catch { /* gone */ }
  }, EXIT_GRACE_MS);
  try {
    server.kill("SIGTERM");
  } catch { /* gone */ }
  await server.status;
  clearTimeout(timer);
  return code;
}
