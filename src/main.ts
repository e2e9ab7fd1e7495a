/**
 * The helper's entry point: argv to subcommand, errors to exit codes. The
 * only place that wires the real world (Deno APIs) into a {@linkcode Ctx}.
 * Subcommands load lazily, so the hook path imports only what it uses.
 * @module
 */
import { type Ctx, systemClock } from "./context.ts";
import { DispatchError } from "./errors.ts";
import { readAtMost } from "./store/fsx.ts";

/** A subcommand: parses its own flags, returns the exit code. */
export type Command = (ctx: Ctx, args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<{ run: Command }>> = {
  start: () => import("./cli/start.ts"),
  status: () => import("./cli/status.ts"),
  ask: () => import("./cli/ask.ts"),
  answer: () => import("./cli/answer.ts"),
  note: () => import("./cli/note.ts"),
  cancel: () => import("./cli/cancel.ts"),
  logs: () => import("./cli/logs.ts"),
  result: () => import("./cli/result.ts"),
  watch: () => import("./cli/watch.ts"),
  demo: () => import("./cli/demo.ts"),
  hook: () => import("./cli/hook.ts"),
  config: () => import("./cli/config.ts"),
  models: () => import("./cli/models.ts"),
  resolve: () => import("./cli/resolve.ts"),
  doctor: () => import("./cli/doctor.ts"),
  resume: () => import("./cli/resume.ts"),
  gc: () => import("./cli/gc.ts"),
  diff: () => import("./cli/diff.ts"),
  merge: () => import("./cli/merge.ts"),
  _supervise: () => import("./cli/supervise.ts"),
  "permission-hook": () => import("./cli/permission_hook.ts"),
  "_scripted-worker": () => import("./cli/scripted_worker.ts"),
  "_codex-relay": () => import("./cli/codex_relay.ts"),
};

/** Top-level help. */
export const HELP = `Usage: dispatch <command> [options]

Background AI workers for Claude Code: start them, answer their questions, see how they do.

Commands:
  start     Start a worker on a checklist plan          dispatch start --title T --model M --plan FILE|-
  status    The board, or one task in detail            dispatch status [TASK] [--all] [--json]
  answer    Answer a worker's open question             dispatch answer TASK "text"
  note      Add context for a running worker            dispatch note TASK "text"
  cancel    Stop a worker and everything it started     dispatch cancel TASK|--all
  logs      The tail of a worker's output               dispatch logs TASK [-n N]
  result    A finished worker's summary                 dispatch result TASK
  watch     Wait until something needs the host         dispatch watch [--session S] [--timeout D]
  ask       (for workers) Ask the user and wait         dispatch ask "question"
  resume    Restart an exited worker in its own session   dispatch resume TASK
  diff      A worktree task's changes to review         dispatch diff TASK [--stat]
  merge     Worktree tasks into your branch, in turn    dispatch merge TASK... [--check CMD] [--squash]
  gc        Remove finished tasks and merged worktrees  dispatch gc [--older-than D]
  config    Create, edit or show ~/.dispatch/config.yaml  dispatch config init|show|add-model|alias|default|remove
  models    Models per installed worker CLI             dispatch models [--refresh]
  resolve   Which model a request names (JSON)          dispatch resolve "request text"
  doctor    Check every backend works headless          dispatch doctor
  hook      (for Claude Code hooks) Print context       dispatch hook UserPromptSubmit|SessionStart|SessionEnd
  demo      The whole lifecycle on a scripted worker    dispatch demo

Run 'dispatch <command> --help' for a command's options.
Data lives in $DISPATCH_HOME (default ~/.dispatch).
`;

/**
 * The most of stdin kept: above every text limit (plan, answer, note) and
 * any hook event (a long pasted prompt), each checked after the read.
 */
export const MAX_STDIN_BYTES = 16 * 1024 * 1024;

/**
 * Reads stdin, keeping at most {@linkcode MAX_STDIN_BYTES} + 1 bytes, so
 * `< /dev/zero` costs 16 MiB, not the machine. The rest is read and dropped
 * (up to 1 GiB), so a writer such as Claude Code's hook runner never gets a
 * broken pipe.
 */
async function readStdinBounded(): Promise<string> {
  const bytes = await readAtMost(Deno.stdin, MAX_STDIN_BYTES + 1);
  if (bytes.length > MAX_STDIN_BYTES) {
    const sink = new Uint8Array(65_536);
    for (let dropped = 0; dropped < 1 << 30;) {
      const n = await Deno.stdin.read(sink);
      if (n === null) break;
      dropped += n;
    }
  }
  return new TextDecoder().decode(bytes);
}

function realCtx(): Ctx {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const env = Deno.env.toObject();
  const home = env.DISPATCH_HOME || `${env.HOME ?? "/tmp"}/.dispatch`;
  const compiled = !/^deno(\.exe)?$/.test(Deno.execPath().split("/").pop() ?? "");
  const self = compiled
    ? [Deno.execPath()]
    : [Deno.execPath(), "run", "-A", "--quiet", `--config=${root}/deno.json`, `${root}/src/main.ts`];
  const encoder = new TextEncoder();
  return {
    home,
    cwd: Deno.cwd(),
    env,
    ...systemClock(),
    stdout: (t) => void Deno.stdout.writeSync(encoder.encode(t)),
    stderr: (t) => void Deno.stderr.writeSync(encoder.encode(t)),
    stdin: async () => Deno.stdin.isTerminal() ? "" : await readStdinBounded(),
    self,
    bin: env.DISPATCH_LAUNCHER || (compiled ? Deno.execPath() : `${root}/bin/dispatch`),
  };
}

/** Runs one command line; resolves with the exit code. */
export async function main(ctx: Ctx, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    ctx.stdout(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    ctx.stdout("dispatch 0.1.0\n");
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    ctx.stderr(`dispatch: Unknown command: '${name}' (run 'dispatch --help' for the list)\n`);
    return 2;
  }
  try {
    return await (await load()).run(ctx, rest);
  } catch (e) {
    if (e instanceof DispatchError) {
      ctx.stderr(`dispatch: ${e.message}\n`);
      return e.exitCode;
    }
    ctx.stderr(`dispatch: ${internalErrorLine(ctx, argv, e)}\n`);
    return 70;
  }
}

/**
 * One line for an error that is not a DispatchError (a full disk, a bug):
 * its message, never its stack, which goes to `$DISPATCH_HOME/errors.log`
 * for a bug report. The log is best effort: on a full disk it stays unwritten.
 */
export function internalErrorLine(ctx: Pick<Ctx, "home" | "now">, argv: string[], e: unknown): string {
  const message = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 300);
  const detail = e instanceof Error ? e.stack ?? e.message : String(e);
  const log = `${ctx.home}/errors.log`;
  let logged = false;
  try {
    const entry = `${new Date(ctx.now()).toISOString()} dispatch ${JSON.stringify(argv)}\n${detail}\n\n`;
    Deno.writeTextFileSync(log, entry, { append: true, mode: 0o600 });
    logged = true;
  } catch {
    // no home, or no space: the line below is all there is
  }
  const where = logged ? `; details in ${log}` : "";
  if (/os error 28\b/.test(message)) {
    return `Disk full: ${message} (free space where ${ctx.home} lives, then run the command again)`;
  }
  return `Internal error: ${
    message || "unknown"
  }${where} (if it is not a full disk or a damaged file, report it)`;
}

if (import.meta.main) {
  Deno.exit(await main(realCtx(), Deno.args));
}
