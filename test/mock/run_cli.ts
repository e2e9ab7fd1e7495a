/**
 * Runs a worker CLI to completion for a test: closed or fed stdin, captured
 * output, a hard wall-clock limit, and no surviving processes afterwards.
 *
 * Why the care: codex, gemini, opencode and qwen start their shell tools in
 * their own sessions, and some of their wrappers ignore or do not forward
 * signals (notes: worker-clis §0.2). Killing the CLI's pid alone leaves
 * orphans that hold pipes open and trip Deno's resource sanitizer. So the
 * child runs detached (its own session), its descendants are sampled from
 * /proc while it runs, every process whose environment carries this run's
 * tag is found at the end (that catches orphans already reparented before a
 * sample saw them), and every group among them is signalled.
 * @module
 */

/** What to run. */
export interface RunCliOptions {
  cmd: string;
  args: string[];
  cwd: string;
  /** The complete environment: nothing is inherited, so host API keys cannot leak in. */
  env: Record<string, string>;
  /** Text written to stdin, which is then closed; stdin is /dev/null when omitted. */
  stdin?: string;
  /** Wall-clock limit; the whole tree is killed when it passes. Default 60 s. */
  timeoutMs?: number;
}

/** How the run ended. */
export interface RunCliResult {
  /** Exit code (128 + n when killed by signal n). */
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
  /** Wall time in milliseconds. */
  ms: number;
  /** True when the time limit killed it. */
  timedOut: boolean;
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  /** Start time in clock ticks: tells a live process from a later one reusing its pid. */
  start: string;
}

async function readProc(pid: number): Promise<ProcInfo | undefined> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // The command name is in parentheses and may contain spaces: parse after the last ")".
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      pid,
      state: rest[0] ?? "",
      ppid: Number(rest[1]),
      pgid: Number(rest[2]),
      start: rest[19] ?? "",
    };
  } catch {
    return undefined;
  }
}

async function allProcs(): Promise<ProcInfo[]> {
  const out: ProcInfo[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const p = await readProc(Number(e.name));
    if (p) out.push(p);
  }
  return out;
}

/** Adds every live descendant of `root` to `seen` (keyed by pid, remembering start time). */
async function sampleTree(root: number, seen: Map<number, ProcInfo>): Promise<void> {
  const procs = await allProcs();
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    for (const c of children.get(pid) ?? []) {
      if (!seen.has(c.pid)) seen.set(c.pid, c);
      queue.push(c.pid);
    }
  }
}

/** The variable that marks every process of one run: children inherit it, orphaned or not. */
export const RUN_TAG_VAR = "MOCK_CLI_RUN_TAG";

/** Adds every live process whose environment holds `RUN_TAG_VAR=tag` to `seen`. */
async function findTagged(tag: string, seen: Map<number, ProcInfo>): Promise<void> {
  const needle = new TextEncoder().encode(`${RUN_TAG_VAR}=${tag}\0`);
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    let env: Uint8Array;
    try {
      env = await Deno.readFile(`/proc/${e.name}/environ`);
    } catch {
      continue;
    }
    if (!containsBytes(env, needle)) continue;
    const p = await readProc(Number(e.name));
    if (p && !seen.has(p.pid)) seen.set(p.pid, p);
  }
}

function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Still the same process, and not a zombie (PID 1 here does not reap orphans). */
async function stillAlive(p: ProcInfo): Promise<boolean> {
  const now = await readProc(p.pid);
  return now !== undefined && now.start === p.start && now.state !== "Z";
}

function trySignal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** Signals each process and its group (never our own group), TERM first, then KILL. */
async function killAll(procs: ProcInfo[], graceMs: number): Promise<void> {
  const self = await readProc(Deno.pid);
  const send = async (sig: Deno.Signal) => {
    for (const p of procs) {
      if (!(await stillAlive(p))) continue;
      if (p.pgid > 1 && p.pgid !== self?.pgid) trySignal(-p.pgid, sig);
      trySignal(p.pid, sig);
    }
  };
  await send("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    let any = false;
    for (const p of procs) if (await stillAlive(p)) any = true;
    if (!any) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  await send("SIGKILL");
}

/** Reads a byte stream to text; `cancel()` stops early (a pipe an orphan keeps open). */
function collect(stream: ReadableStream<Uint8Array>): { text: Promise<string>; cancel(): void } {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  const text = (async () => {
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
      }
    } catch {
      // Cancelled: keep what arrived.
    }
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let off = 0;
    for (const c of chunks) {
      all.set(c, off);
      off += c.length;
    }
    return new TextDecoder().decode(all);
  })();
  return { text, cancel: () => void reader.cancel().catch(() => {}) };
}

/** Resolves after `ms` or when `until` settles, whichever is first, leaving no timer behind. */
function sleepUntil(ms: number, until: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    }),
    until.then(() => {}, () => {}),
  ]).finally(() => clearTimeout(timer));
}

/** Runs one CLI invocation; see the module doc for the guarantees. */
export async function runCli(opts: RunCliOptions): Promise<RunCliResult> {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const tag = crypto.randomUUID();
  const child = new Deno.Command(opts.cmd, {
    args: opts.args,
    cwd: opts.cwd,
    env: { ...opts.env, [RUN_TAG_VAR]: tag },
    clearEnv: true,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  const rootInfo = await readProc(child.pid);
  const seen = new Map<number, ProcInfo>();
  if (rootInfo) seen.set(child.pid, rootInfo);

  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  // Not awaited here: a child that never reads a large stdin must still meet the deadline.
  const feeding = (async () => {
    if (opts.stdin === undefined) return;
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin)).catch(() => {});
    await w.close().catch(() => {});
  })();

  let exited = false;
  const status = child.status.finally(() => {
    exited = true;
  });
  const sampler = (async () => {
    while (!exited) {
      await sampleTree(child.pid, seen).catch(() => {});
      await sleepUntil(150, status);
    }
  })();

  // The deadline covers the pipes too: an orphan holding stdout must not hang the test.
  const deadline = sleepUntil(timeoutMs, Promise.all([status, stdout.text, stderr.text]));
  let timedOut = false;
  await Promise.race([status, deadline]);
  if (!exited) {
    timedOut = true;
    await findTagged(tag, seen);
    await killAll([...seen.values()], 1000);
  }
  const st = await status;
  await sampler;
  await feeding;
  // Tool processes the CLI left behind (own sessions, orphaned) may still hold pipes: end them.
  await findTagged(tag, seen);
  await killAll([...seen.values()].filter((p) => p.pid !== child.pid), 500);
  await deadline;
  if (performance.now() - started >= timeoutMs) {
    timedOut = true;
    stdout.cancel();
    stderr.cancel();
  }
  return {
    code: st.code,
    signal: st.signal,
    stdout: await stdout.text,
    stderr: await stderr.text,
    ms: Math.round(performance.now() - started),
    timedOut,
  };
}
