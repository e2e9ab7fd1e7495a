/**
 * `dispatch watch --stream`: the monitor's process side. Ties the stream to
 * its session's host: SIGTERM, SIGINT and SIGHUP end it, so does its stdin
 * closing when it is a pipe or socket (Claude Code gone; a /dev/null stdin,
 * or one closed in the first second, says nothing), its stdout closing, and its parent or grandparent (the
 * monitor's shell, Claude Code) or `$CLAUDE_PID` dying.
 * @module
 */
import type { Ctx } from "../context.ts";
import { ensureDir } from "../store/fsx.ts";
import { assertSessionId, homePaths } from "../store/paths.ts";
import { type Proc, stream } from "../ipc/stream.ts";
import { ancestors, insideWorker } from "../ipc/caller.ts";
import { startTimeOf } from "../proc/procfs.ts";
import { UsageError } from "../errors.ts";
import { sessionFrom } from "./args.ts";

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

/** The processes whose end ends the stream: parent, grandparent, and Claude Code's pid when its env names it. */
function hosts(env: Record<string, string>): Proc[] {
  const out: Proc[] = ancestors().slice(0, 2).filter((p) => p.pid > 1);
  const claude = Number(env.CLAUDE_PID);
  if (Number.isSafeInteger(claude) && claude > 1) out.push({ pid: claude, startTime: startTimeOf(claude) });
  return out;
}

/** An end of stdin this soon after start says nothing: a host that wrote nothing and closed it, as for a hook. */
const STDIN_GRACE_MS = 1000;

/** Aborts `stop` when stdin, a pipe or socket, reaches its end (the host is gone), past the first second. */
async function endOfStdin(stop: AbortController): Promise<void> {
  const started = performance.now();
  try {
    const info = await Deno.stat("/proc/self/fd/0");
    if (!info.isFifo && !info.isSocket) return;
    const buf = new Uint8Array(4096);
    while (!stop.signal.aborted && await Deno.stdin.read(buf) !== null) {
      // the host writes nothing; whatever comes is dropped
    }
    if (performance.now() - started >= STDIN_GRACE_MS) stop.abort();
  } catch {
    // unreadable stdin tells nothing
  }
}

/** Notes a round's error in errors.log: the monitor's stderr is nobody's to read. */
function logError(ctx: Ctx, e: unknown): void {
  try {
    const line = `${new Date(ctx.now()).toISOString()} watch --stream: ${
      e instanceof Error ? e.stack ?? e.message : String(e)
    }\n`;
    Deno.writeTextFileSync(homePaths(ctx.home).errors, line, { append: true, mode: 0o600 });
  } catch {
    // nowhere left to report; the stream goes on
  }
}

/** Runs the stream for the session; exits 0 however it ends. */
export async function runStream(ctx: Ctx, flag: string | undefined): Promise<number> {
  // Inside a worker this is no host's monitor: its cursor is the host's.
  if (insideWorker(ctx.env)) return 0;
  const session = sessionFrom(ctx, flag);
  if (!session) {
    throw new UsageError("dispatch watch --stream needs a session: --session S or $CLAUDE_CODE_SESSION_ID");
  }
  assertSessionId(session);
  await ensureDir(ctx.home);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const s of SIGNALS) Deno.addSignalListener(s, onSignal);
  void endOfStdin(stop);
  try {
    await stream(ctx, {
      session,
      write: (line) => ctx.stdout(line + "\n"),
      signal: stop.signal,
      self: { pid: Deno.pid, startTime: startTimeOf(Deno.pid) },
      hosts: hosts(ctx.env),
      onError: (e) => logError(ctx, e),
    });
  } finally {
    for (const s of SIGNALS) Deno.removeSignalListener(s, onSignal);
    stop.abort();
  }
  return 0;
}
