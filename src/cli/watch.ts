/**
 * `dispatch watch`: wait until something needs the host.
 * @module
 */
import type { Ctx } from "../context.ts";
import { ensureDir } from "../store/fsx.ts";
import { parseDuration } from "../duration.ts";
import { assertSessionId } from "../store/paths.ts";
import { watch } from "../ipc/watch.ts";
import { parseFlags, sessionFrom } from "./args.ts";
import { insideWorker } from "../ipc/caller.ts";
import { UsageError } from "../errors.ts";

const HELP = `Usage: dispatch watch [--session S] [--timeout D]
       dispatch watch --stream [--session S]

Blocks until a task needs the host (a question, done, failed, stalled), then prints one
line and exits 0. Meant to run as a background command: its exit wakes the host session.
Each event wakes it once. Exits 0 at once when no task is running, or when the session's
monitor runs (push: monitor).

--stream is the plugin's monitor (monitors/monitors.json): it runs until the session ends
(or stdin or stdout closes, or SIGTERM) and prints one line per event that needs the host,
first the notices handed over from an earlier session. The monitor and the prompt hook
share one cursor: each event is told once, by whichever comes first. Inside a worker it
prints nothing and exits 0.

Options:
  --session S   Only this host session's tasks (default: $DISPATCH_SESSION, then
                $CLAUDE_CODE_SESSION_ID; else all, which --stream refuses)
  --timeout D   Give up after D (exit 124), e.g. 55m
  --stream      Stream lines for the whole session instead of exiting on the first
`;

/** Runs `dispatch watch`. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(
    ctx,
    args,
    { session: { type: "string" }, timeout: { type: "string" }, stream: { type: "boolean" } },
    HELP,
  );
  if (!parsed) return 0;
  if (parsed.values.stream) return (await import("./watch_stream.ts")).runStream(ctx, parsed.values.session);
  const task = insideWorker(ctx.env);
  if (task) {
    // Its cursor is the host's: a worker that ran it would swallow the host's wake-up.
    throw new UsageError(
      `Not for workers: 'dispatch watch' runs in the host session, and this runs inside task ${task}'s worker; nothing was read`,
    );
  }
  const session = sessionFrom(ctx, parsed.values.session);
  if (session) assertSessionId(session);
  await ensureDir(ctx.home);
  const line = await watch(ctx, {
    session,
    timeoutMs: parsed.values.timeout ? parseDuration(parsed.values.timeout, "--timeout") : undefined,
  });
  ctx.stdout(line + "\n");
  return 0;
}
