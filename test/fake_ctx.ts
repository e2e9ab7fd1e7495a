/**
 * In-process test contexts for the core: a temporary home that `await using`
 * removes, a {@linkcode FakeClock} that drives every sleep and timeout, and
 * captured output. File-system events stay real, so a watch still wakes on
 * a write; only time is fake.
 * @module
 */
import { type Clock, type Ctx, type DirWatch, type WatchDirOptions, watchDirWith } from "../src/context.ts";
import { ensureDir, writeAtomic, writeJsonAtomic } from "../src/store/fsx.ts";
import { taskPaths } from "../src/store/paths.ts";
import type { TaskSpec, TaskState } from "../src/store/tasks.ts";
import { listProcesses } from "../src/proc/procfs.ts";

/** The repository root. */
const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

interface Sleeper {
  at: number;
  wake: () => void;
}

/** Time that moves only when a test says so. Sleeps resolve when time reaches them, or on abort. */
export class FakeClock implements Clock {
  #now: number;
  /** Monotonic time: moved by {@linkcode advance}, never by {@linkcode stepWall}; sleeps run on it. */
  #mono = 0;
  #sleepers = new Set<Sleeper>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  /** The fake time. */
  now = (): number => this.#now;

  /** The fake monotonic reading. */
  monotonic = (): number => this.#mono;

  /** Steps the wall clock alone by `ms` (negative: back), as NTP or a user might: no sleep wakes. */
  stepWall(ms: number): void {
    this.#now += ms;
  }

  /** Resolves when time is moved past `ms` from now, or when `signal` aborts. */
  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = {
        at: this.#mono + Math.max(0, ms),
        wake: () => {
          this.#sleepers.delete(sleeper);
          signal?.removeEventListener("abort", sleeper.wake);
          resolve();
        },
      };
      this.#sleepers.add(sleeper);
      signal?.addEventListener("abort", sleeper.wake);
    });
  };

  /** A real inotify watch whose waits sleep on this clock. */
  watchDir = (dir: string, opts: WatchDirOptions): DirWatch => watchDirWith(this.sleep, dir, opts);

  /** How many sleeps are waiting. */
  get sleeping(): number {
    return this.#sleepers.size;
  }

  /**
   * Resolves once at least `n` sleeps are waiting: the code under test has
   * reached its wait. With `unless`, fails once that work has ended instead.
   */
  async settled(n = 1, unless?: Promise<unknown>): Promise<void> {
    let ended = false;
    unless?.then(() => ended = true, () => ended = true);
    while (this.#sleepers.size < n) {
      if (ended) throw new Error("Gave up waiting for a sleep: the work under test ended first");
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Moves time on by `ms`, waking every sleep that falls due. */
  advance(ms: number): void {
    this.#now += ms;
    this.#mono += ms;
    for (const s of [...this.#sleepers]) if (s.at <= this.#mono) s.wake();
  }

  /** Keeps waking the earliest sleep until `work` settles: "let time run" until it is done. */
  async runUntil<T>(work: Promise<T>): Promise<T> {
    let over = false;
    const settled = work.finally(() => over = true);
    settled.catch(() => {});
    while (!over) {
      if (this.#sleepers.size > 0) {
        const next = Math.min(...[...this.#sleepers].map((s) => s.at));
        this.advance(Math.max(0, next - this.#mono));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return settled;
  }

  /** Waits for a sleep (see {@linkcode settled}), then moves time to the earliest one and wakes it. */
  async fireNext(unless?: Promise<unknown>): Promise<void> {
    await this.settled(1, unless);
    const next = Math.min(...[...this.#sleepers].map((s) => s.at));
    this.advance(Math.max(0, next - this.#mono));
  }
}

/** A context on a throwaway home with a fake clock; `await using` removes the home. */
export interface TestCtx extends Ctx, AsyncDisposable {
  clock: FakeClock;
  /** A project folder inside the home's parent (the task's cwd). */
  project: string;
  out: string[];
  err: string[];
}

/** Options for {@linkcode testCtx}. */
export interface TestCtxOptions {
  /** config.yaml's text (none when absent). */
  config?: string;
  env?: Record<string, string>;
  /** The argv that runs the helper again; `true` by default, so a spawned supervisor does nothing. */
  self?: string[];
}

/** Makes a {@linkcode TestCtx}. */
export async function testCtx(opts: TestCtxOptions = {}): Promise<TestCtx> {
  const root = await Deno.makeTempDir({ prefix: "dispatch-core-test-" });
  const home = `${root}/home`;
  const project = `${root}/project`;
  await ensureDir(home);
  await ensureDir(project);
  if (opts.config !== undefined) await Deno.writeTextFile(`${home}/config.yaml`, opts.config);
  const clock = new FakeClock();
  const out: string[] = [];
  const err: string[] = [];
  return {
    home,
    cwd: project,
    project,
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: root, DISPATCH_HOME: home, ...opts.env },
    clock,
    now: clock.now,
    monotonic: clock.monotonic,
    sleep: clock.sleep,
    watchDir: clock.watchDir,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stdin: () => Promise.resolve(""),
    self: opts.self ?? ["true"],
    bin: `${ROOT}/bin/dispatch`,
    out,
    err,
    async [Symbol.asyncDispose]() {
      await childrenGone();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Waits (up to 20 s) until this process has no child left: a detached
 * supervisor that a test's `startTask` spawned (`true` by default) must be
 * reaped before the test ends, or the sanitizer reports a leaked process on
 * a loaded machine where it had not exited yet.
 */
async function childrenGone(): Promise<void> {
  for (const until = Date.now() + 20_000; Date.now() < until;) {
    if (!listProcesses().some((p) => p.ppid === Deno.pid)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Writes a task straight into the store: spec, state and plan. Resolves with the spec. */
export async function seedTask(
  ctx: Ctx,
  id: string,
  opts: { state?: TaskState; plan?: string; spec?: Partial<TaskSpec> } = {},
): Promise<TaskSpec> {
  const paths = taskPaths(ctx.home, id);
  await Promise.all([ensureDir(paths.questions), ensureDir(paths.answers)]); // as start makes them
  const spec: TaskSpec = {
    id,
    title: id,
    project: ctx.cwd,
    cwd: ctx.cwd,
    backend: "sh",
    model: "sh",
    modelId: "sh",
    tier: "edit",
    created: ctx.now(),
    ...opts.spec,
  };
  await writeAtomic(paths.plan, opts.plan ?? "- [ ] one\n- [ ] two\n");
  await writeAtomic(paths.prompt, `Work through ${paths.plan}.\n`);
  await writeJsonAtomic(paths.state, opts.state ?? { state: "starting", since: ctx.now() });
  await writeJsonAtomic(paths.task, spec);
  return spec;
}

/**
 * Polls `check` until it returns a value other than undefined (or false); the
 * test's own timeout bounds it. With `unless`, it fails instead of waiting on
 * once that work has ended (the condition can no longer come true).
 */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { unless?: Promise<unknown> } = {},
): Promise<T> {
  let ended = false;
  opts.unless?.then(() => ended = true, () => ended = true);
  while (true) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (ended) throw new Error("Gave up waiting: the work under test ended first");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The argv that runs this checkout's helper (for workers that call back into it, like the scripted one). */
export const HELPER = [
  Deno.execPath(),
  "run",
  "-A",
  "--quiet",
  `--config=${ROOT}/deno.json`,
  `${ROOT}/src/main.ts`,
];

/**
 * Makes model `sh` (the default) a command backend that runs `body` as a
 * shell script, the cheapest real worker: `$DISPATCH_PLAN` and friends are set.
 */
export async function useShellWorker(ctx: Ctx, body: string, extraConfig = ""): Promise<void> {
  const script = `${ctx.home}/worker.sh`;
  await Deno.writeTextFile(script, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  await Deno.writeTextFile(
    `${ctx.home}/config.yaml`,
    `default: sh\nbackends:\n  sh: { command: "${script}", model_flag: "" }\nmodels:\n  sh: { backend: sh }\n${extraConfig}`,
  );
}
