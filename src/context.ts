/**
 * The explicit context every command core takes, so tests can inject a
 * temporary home, a fake clock and captured output. Only `main.ts` builds
 * the real one; {@linkcode systemClock} is its clock.
 * @module
 */

/** What wakes a {@linkcode DirWatch}. */
export interface WatchDirOptions {
  /** Wake only for events on paths this accepts (every event when absent; a rescan always wakes). */
  match?: (path: string) => boolean;
  /** The safety-net poll for dropped or coalesced events. */
  pollMs: number;
  /** The poll when the folder cannot be watched (no inotify); `pollMs` when absent. */
  blindPollMs?: number;
  /**
   * For a folder a worker writes. `Deno.watchFs` opens what appears in the
   * folder, so a FIFO created there blocks the watcher's thread, and closing
   * the watcher then blocks the whole process (Deno 2.9.5). Before each wait
   * and before closing, special files there are defused: every FIFO, socket
   * or device is removed, a FIFO while held open read-write (which never
   * blocks on Linux, and gives any reader blocked on it a writer).
   */
  untrusted?: boolean;
}

/** A folder being watched: file-system events wake {@linkcode DirWatch.wait}. */
export interface DirWatch extends AsyncDisposable {
  /**
   * Resolves on the first matching event (or one that came since the last
   * wait), after `ms` or the poll interval, whichever is first, or when
   * `signal` aborts.
   */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Time as the core sees it: a fake one in tests drives every sleep and timeout. */
export interface Clock {
  /** Milliseconds since the epoch: for timestamps, never for durations (the wall clock can step). */
  now(): number;
  /**
   * A monotonic reading in milliseconds: only differences mean anything, and
   * only within one process. Timeouts and stall windows are measured on it,
   * so a clock step (NTP, a user, a VM resume) cannot fire or stall them.
   */
  monotonic(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Watches folder `dir` (which must exist); dispose it when done. */
  watchDir(dir: string, opts: WatchDirOptions): DirWatch;
}

/** The part of the context the core's file and clock work needs: a home and a clock. */
export type HomeCtx = Pick<Ctx, "home"> & Clock;

/** The world a command runs in. */
export interface Ctx extends Clock {
  /** `$DISPATCH_HOME`: where config, tasks and the journal live. */
  home: string;
  /** The directory the command was run from. */
  cwd: string;
  /** The environment, as a plain snapshot. */
  env: Record<string, string>;
  /** Writes to standard output (no newline added). */
  stdout(text: string): void;
  /** Writes to standard error (no newline added). */
  stderr(text: string): void;
  /** Reads all of standard input ("" when it is a terminal or closed). */
  stdin(): Promise<string>;
  /** The argv that runs this helper again (for detached supervisors). */
  self: string[];
  /** Absolute path of `bin/dispatch`, which workers call by name. */
  bin: string;
}

/** Writes one line to standard output. */
export function println(ctx: Ctx, text = ""): void {
  ctx.stdout(text + "\n");
}

/** Real sleep: a timer, cleared when `signal` aborts. */
function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done);
  });
}

/**
 * Watches `dir` with inotify, sleeping on `sleep` in between: the one
 * wake-up loop behind `ask`, `watch`, the queue and the supervisor. It
 * watches the folder, not a file: a watch on a file path goes deaf after
 * the first atomic replace.
 */
export function watchDirWith(
  sleep: Clock["sleep"],
  dir: string,
  opts: WatchDirOptions,
): DirWatch {
  let watcher: Deno.FsWatcher | undefined;
  try {
    watcher = Deno.watchFs(dir, { recursive: false });
  } catch {
    watcher = undefined; // no inotify here: the poll carries the wait
  }
  let wake: (() => void) | undefined;
  let pending = false;
  const pump = (async () => {
    if (!watcher) return;
    for await (const event of watcher) {
      if (event.flag !== "rescan" && opts.match && !event.paths.some(opts.match)) continue;
      if (wake) wake();
      else pending = true;
    }
  })();
  const pollMs = watcher ? opts.pollMs : opts.blindPollMs ?? opts.pollMs;
  // Every untrusted folder watched in this process, each time: the watchers may share one thread, so a
  // FIFO left in one folder would block closing another's.
  if (opts.untrusted) untrustedDirs.set(dir, (untrustedDirs.get(dir) ?? 0) + 1);
  const defuse = opts.untrusted ? () => untrustedDirs.forEach((_, d) => defuseSpecialFiles(d)) : () => {};
  return {
    async wait(ms, signal) {
      defuse();
      if (pending) {
        pending = false;
        return;
      }
      const woken = new AbortController();
      const stop = () => woken.abort();
      wake = stop;
      signal?.addEventListener("abort", stop);
      if (signal?.aborted) stop();
      try {
        await sleep(Math.min(ms, pollMs), woken.signal);
      } finally {
        wake = undefined;
        signal?.removeEventListener("abort", stop);
      }
    },
    async [Symbol.asyncDispose]() {
      wake?.();
      defuse();
      watcher?.close();
      if (opts.untrusted) {
        const left = (untrustedDirs.get(dir) ?? 1) - 1;
        if (left > 0) untrustedDirs.set(dir, left);
        else untrustedDirs.delete(dir);
      }
      await pump;
    },
  };
}

/** The untrusted folders this process watches, with how many watches each has. */
const untrustedDirs = new Map<string, number>();

/** Removes the FIFOs, sockets and devices in `dir`, releasing a reader blocked on a FIFO first. */
function defuseSpecialFiles(dir: string): void {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.isFile || e.isDirectory || e.isSymlink) continue;
    const path = `${dir}/${e.name}`;
    try {
      // Held open while the name goes: any reader blocked on it, or opening it meanwhile, gets a writer.
      const held = Deno.lstatSync(path).isFifo ? Deno.openSync(path, { read: true, write: true }) : undefined;
      try {
        Deno.removeSync(path);
      } finally {
        held?.close();
      }
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
}

/** The real clock: `Date.now`, timers and inotify. */
export function systemClock(): Clock {
  return {
    now: () => Date.now(),
    monotonic: () => performance.now(),
    sleep: realSleep,
    watchDir: (dir, opts) => watchDirWith(realSleep, dir, opts),
  };
}
