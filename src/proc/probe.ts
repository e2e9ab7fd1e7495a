/**
 * Running a worker CLI briefly to ask it something (`--version`, `models`,
 * `auth status`, `--help`), bounded in time and output: a CLI that hangs,
 * waits for a login, or floods its output must not hang `config init`,
 * `resolve` or `doctor`. Each probe runs in its own process group with stdin
 * closed (every worker CLI waits for EOF on an open stdin pipe), and on
 * timeout the whole group and its descendants get SIGKILL.
 * @module
 */
import { collectTree } from "./kill_tree.ts";

/** What a probe saw. */
export interface ProbeResult {
  /** Exit code; null when killed or not started. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Killed because it ran past the time limit. */
  timedOut: boolean;
  /** The executable could not be started (missing, not executable). */
  notFound: boolean;
  /** Wall time in milliseconds. */
  ms: number;
}

/** Options for one probe. */
export interface ProbeOptions {
  /** The complete environment of the probe (not merged with ours). */
  env: Record<string, string>;
  timeoutMs: number;
  cwd?: string;
  /** Output beyond this many bytes per stream is dropped (default 4 MiB). */
  maxBytes?: number;
}

/** Runs one probe; the injectable seam for tests. */
export type ProbeRunner = (argv: string[], opts: ProbeOptions) => Promise<ProbeResult>;

async function drain(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  readers: ReadableStreamDefaultReader<Uint8Array>[],
): Promise<string> {
  const reader = stream.getReader();
  readers.push(reader);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size < maxBytes) chunks.push(value.subarray(0, maxBytes - size));
      size += value.length;
    }
  } catch {
    // cancelled after a timeout: keep what arrived
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.length;
  }
  return new TextDecoder().decode(all);
}

function killGroup(pid: number): void {
  const pids = new Set([...collectTree({ pid })]);
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch {
    // the group is already gone
  }
  for (const p of pids) {
    try {
      Deno.kill(p, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Runs `argv` with stdin closed, a time limit and bounded output. Never throws for a failing CLI. */
export const runProbe: ProbeRunner = async (argv, opts) => {
  const started = performance.now();
  const result = (partial: Partial<ProbeResult>): ProbeResult => ({
    code: null,
    stdout: "",
    stderr: "",
    timedOut: false,
    notFound: false,
    ms: Math.round(performance.now() - started),
    ...partial,
  });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      env: opts.env,
      clearEnv: true,
      cwd: opts.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // its own process group, so a timeout kills the CLI and what it started
      detached: true,
    }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
      return result({ notFound: true, stderr: e.message });
    }
    throw e;
  }
  const maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
  const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
    // a grandchild that escaped the group may still hold the pipes open
    for (const r of readers) r.cancel().catch(() => {});
  }, opts.timeoutMs);
  try {
    const [stdout, stderr, status] = await Promise.all([
      drain(child.stdout, maxBytes, readers),
      drain(child.stderr, maxBytes, readers),
      child.status,
    ]);
    return result({ code: timedOut ? null : status.code, stdout, stderr, timedOut });
  } finally {
    clearTimeout(timer);
  }
};

/** Finds an executable on `path` (a PATH string); an absolute or relative path is checked as is. */
export async function which(bin: string, path: string): Promise<string | undefined> {
  const candidates = bin.includes("/")
    ? [bin]
    : path.split(":").filter((d) => d !== "").map((d) => `${d}/${bin}`);
  for (const candidate of candidates) {
    try {
      const info = await Deno.stat(candidate);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Removes terminal colour and cursor codes from a CLI's output. */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex -- ESC is exactly what is being removed
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

/** The first line of a CLI's output that has text, trimmed (for versions and errors). */
export function firstLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).find((l) => l !== "" && !/^WARNING: proceeding/.test(l)) ??
    "";
}
