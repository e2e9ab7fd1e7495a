/**
 * What every bench shares: the real launcher timed from spawn to exit, and
 * throwaway homes with synthetic tasks written straight to disk.
 * @module
 */

/** The repository root. */
export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
/** The launcher every figure goes through. */
export const BIN = `${ROOT}/bin/dispatch`;
/** `--quick`: fewer samples, for a smoke run. */
export const quick = Deno.args.includes("--quick");
/** Samples per row. */
export const N = quick ? 5 : 20;

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A clean environment for the launcher, pointed at `home`. */
export function envFor(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: home,
    DISPATCH_HOME: home,
    NO_COLOR: "1",
    ...extra,
  };
}

/** Runs `bin/dispatch args` and times it from spawn to exit; throws unless it exits 0. */
export async function timed(
  args: string[],
  env: Record<string, string>,
  opts: { stdin?: string; cwd?: string } = {},
): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  const child = new Deno.Command(BIN, {
    args,
    env,
    clearEnv: true,
    cwd: opts.cwd,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const out = await child.output();
  const ms = performance.now() - t0;
  if (out.code !== 0) throw new Error(`dispatch ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  return { ms, stdout: new TextDecoder().decode(out.stdout) };
}

/** A throwaway home with `config`, and a project folder (a git root) beside it. */
export async function makeHome(config: string): Promise<{ home: string; project: string }> {
  const home = await Deno.makeTempDir({ prefix: "dispatch-bench-" });
  const project = await Deno.makeTempDir({ prefix: "dispatch-bench-project-" });
  await Deno.mkdir(`${project}/.git`);
  await Deno.writeTextFile(`${home}/config.yaml`, config);
  return { home, project };
}

/** Removes a home and its project. */
export async function removeHome(h: { home: string; project: string }): Promise<void> {
  await Deno.remove(h.home, { recursive: true });
  await Deno.remove(h.project, { recursive: true });
}

/** A config whose one model runs the scripted worker on `scenario`. */
export const SCRIPTED = (scenario: string) =>
  `default: w\nbackends:\n  s: { type: scripted, scenario: ${scenario} }\nmodels:\n  w: { backend: s }\n`;

/** How a synthetic task stands. */
export interface FakeTaskOptions {
  /** Running (its pid is this bench process, so it stays alive); else done. */
  running: boolean;
  /** For a done task: how long ago it ended (default 1 s). */
  endedAgoMs?: number;
  /** The task id (default `bench-task-<i>`). */
  id?: string;
}

/** Writes a synthetic task straight to disk; resolves with its id. */
export async function fakeTask(
  home: string,
  project: string,
  i: number,
  session: string,
  opts: FakeTaskOptions,
): Promise<string> {
  const id = opts.id ?? `bench-task-${String(i).padStart(4, "0")}`;
  const dir = `${home}/tasks/${id}`;
  // As start makes them: the worker's work/ (plan, questions) and the trusted answers/.
  for (const sub of ["work/questions", "answers"]) await Deno.mkdir(`${dir}/${sub}`, { recursive: true });
  const now = Date.now();
  const ended = now - (opts.endedAgoMs ?? 1000);
  const created = Math.min(now - 60_000, ended - 59_000);
  await Deno.writeTextFile(
    `${dir}/task.json`,
    JSON.stringify({
      id,
      title: `Bench task ${i}`,
      project,
      cwd: project,
      backend: "s",
      model: "w",
      modelId: "w",
      tier: "edit",
      session,
      created,
    }),
  );
  const state = opts.running
    ? { state: "running", pid: Deno.pid, supervisor: Deno.pid, started: created }
    : { state: "done", code: 0, reason: "All items done", started: created, ended };
  await Deno.writeTextFile(`${dir}/state.json`, JSON.stringify(state));
  await Deno.writeTextFile(`${dir}/work/plan.md`, "- [x] one\n- [x] two\n- [ ] three\n");
  await Deno.writeTextFile(`${dir}/worker.log`, "working\n".repeat(50));
  return id;
}

/** Writes question `n` of task `id` as `dispatch ask` does: a journaled question is relayed only with its file. */
export async function writeQuestionFile(home: string, id: string, n: number, text: string): Promise<void> {
  const dir = `${home}/tasks/${id}/work/questions`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/${String(n).padStart(3, "0")}.json`,
    JSON.stringify({ n, text, ts: Date.now() }) + "\n",
  );
}
