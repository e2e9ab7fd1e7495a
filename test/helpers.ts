/**
 * Shared helpers for integration tests: a throwaway DISPATCH_HOME with a
 * config whose models run the fake worker on chosen scenarios, and a way to
 * run the real launcher (`bin/dispatch`) as a subprocess.
 * @module
 */
import { livePidsWithEnv } from "../src/proc/procfs.ts";
import { tempDir } from "./temp_dir.ts";

/** The repository root. */
export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
/** The launcher under test. */
export const BIN = `${ROOT}/bin/dispatch`;
/** The fake worker executable. */
export const FAKE_WORKER = `${ROOT}/test/fixtures/fake_worker`;
/** Scenario files. */
export const SCENARIOS = `${ROOT}/test/fixtures/scenarios`;

/**
 * A temporary dispatch home plus a project folder. `await using sb = await sandbox()`
 * cancels its tasks and removes both folders when the scope ends.
 */
export interface Sandbox extends AsyncDisposable {
  home: string;
  project: string;
  env: Record<string, string>;
  /** Runs `bin/dispatch ARGS` in the project with this home. */
  run(args: string[], opts?: RunOptions): Promise<RunResult>;
}

/** Options for one run. */
export interface RunOptions {
  stdin?: string;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** What a run printed and returned. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Builds the config text: one model per scenario name, run by the fake worker. */
export function scenarioConfig(scenarios: string[]): string {
  const lines = ["default: ask", "backends:"];
  for (const s of scenarios) {
    lines.push(
      `  fake-${s}:`,
      `    command: "${FAKE_WORKER} --scenario ${SCENARIOS}/${s}.txt"`,
      `    model_flag: ""`,
    );
  }
  lines.push("  scripted-ask:", `    type: scripted`, `    scenario: ${SCENARIOS}/ask.txt`);
  lines.push("  scripted-rl:", `    type: scripted`, `    scenario: ${SCENARIOS}/rate_limited.txt`);
  lines.push("models:");
  for (const s of scenarios) lines.push(`  ${s}: { backend: fake-${s} }`);
  lines.push("  scripted-ask: { backend: scripted-ask }");
  lines.push("  scripted-rl: { backend: scripted-rl }");
  lines.push("limits: { max_concurrent: 64 }");
  lines.push("aliases:", "  asker: { model: ask, prompt: 'Be brief.' }");
  return lines.join("\n") + "\n";
}

/** Every scenario file name. */
export function allScenarios(): string[] {
  return [...Deno.readDirSync(SCENARIOS)].map((e) => e.name.replace(/\.txt$/, "")).sort();
}

/** Runs the launcher with `env`. */
export async function runBin(
  args: string[],
  env: Record<string, string>,
  opts: RunOptions = {},
): Promise<RunResult> {
  const child = new Deno.Command(BIN, {
    args,
    env: { ...env, ...(opts.env ?? {}) },
    clearEnv: true,
    cwd: opts.cwd,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(opts.timeoutMs ?? 180_000),
  }).spawn();
  // Written while the output is read: a child that answers before it has read
  // all its input must not block on a full stdout pipe.
  const write = async (stdin: string) => {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  };
  const [out] = await Promise.all([child.output(), opts.stdin === undefined ? undefined : write(opts.stdin)]);
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** Creates a sandbox; `config` defaults to every scenario as a model. */
export async function sandbox(config = scenarioConfig(allScenarios())): Promise<Sandbox> {
  const homeDir = await tempDir("dispatch-test-home-");
  const projectDir = await tempDir("dispatch-test-project-");
  const home = homeDir.path;
  const project = projectDir.path;
  await Deno.mkdir(`${project}/.git`);
  await Deno.writeTextFile(`${home}/config.yaml`, config);
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: home,
    DISPATCH_HOME: home,
    DISPATCH_TICK_MS: "100",
    NO_COLOR: "1",
  };
  return {
    home,
    project,
    env,
    run: (args, opts = {}) => runBin(args, env, { cwd: project, ...opts }),
    async [Symbol.asyncDispose]() {
      await runBin(["cancel", "--all"], env, { cwd: project }).catch(() => {});
      await homeDir[Symbol.asyncDispose]();
      await projectDir[Symbol.asyncDispose]();
    },
  };
}

/** A three-item plan. */
export const PLAN = "# Test plan\n- [ ] first\n- [ ] second\n- [ ] third\n";

/** Starts a task on `model`; returns its id. */
export async function startTask(
  sb: Sandbox,
  model: string,
  extra: string[] = [],
  plan = PLAN,
): Promise<string> {
  const r = await sb.run([
    "start",
    "--title",
    `test ${model}`,
    "--model",
    model,
    "--plan",
    "-",
    "--json",
    ...extra,
  ], {
    stdin: plan,
  });
  if (r.code !== 0) throw new Error(`start failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout).id;
}

/** Status JSON of one task. */
export async function taskStatus(sb: Sandbox, id: string): Promise<Record<string, unknown>> {
  const r = await sb.run(["status", id, "--json"]);
  if (r.code !== 0) throw new Error(`status failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout).tasks[0];
}

/**
 * Polls `check` every 50 ms until it returns a value, or throws after `timeoutMs`. The
 * last check runs after the deadline, so a slow machine's late success still counts.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const past = Date.now() >= deadline;
    const v = await check();
    if (v !== undefined) return v;
    if (past) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls the task's status until `accept` returns a value for it; returns that value. */
export function waitForStatus<T>(
  sb: Sandbox,
  id: string,
  what: string,
  accept: (status: Record<string, unknown>) => Promise<T | undefined> | T | undefined,
  timeoutMs = 90_000,
): Promise<T> {
  return waitFor(what, async () => accept(await taskStatus(sb, id)), timeoutMs);
}

/** Waits until the task's state is one of `states`; returns its status. */
export function waitForState(sb: Sandbox, id: string, states: string[], timeoutMs = 90_000) {
  return waitForStatus(
    sb,
    id,
    `${id} to be ${states.join("|")}`,
    (s) => states.includes(s.state as string) ? s : undefined,
    timeoutMs,
  );
}

/** Pids of live (non-zombie) processes whose environment has DISPATCH_TASK=id. */
export function processesOfTask(id: string): number[] {
  return livePidsWithEnv(`DISPATCH_TASK=${id}`);
}

/** Waits until no live process carries the task's id (its whole tree is gone). */
export function waitForNoProcesses(id: string, what = "every process of the task to end"): Promise<true> {
  return waitFor(what, () => processesOfTask(id).length === 0 ? true : undefined, 10_000);
}

/** Journal events as objects. */
export async function journal(home: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(`${home}/journal.jsonl`).catch(() => "");
  return text.split("\n").filter((l) => l).map((l) => JSON.parse(l));
}
