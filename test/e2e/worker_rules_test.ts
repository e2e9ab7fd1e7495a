/**
 * Allow rules with real workers, offline against the mock model servers: in
 * the default `edit` tier a worker runs the test command its plan names (or
 * one `--allow` grants) without asking, and finishes; a `--deny` refuses.
 * @module
 */
import assert from "node:assert/strict";
import {
  type Action,
  installed,
  type RealCli,
  type WorkerSandbox,
  workerSandbox,
  workerScript,
} from "./worker_e2e.ts";

/** A tiny project whose `npm test` writes a marker file. */
async function npmProject(dir: string): Promise<void> {
  const script = `node -e "require('fs').writeFileSync('tested.txt', 'ran')"`;
  await Deno.writeTextFile(
    `${dir}/package.json`,
    JSON.stringify({ name: "tiny", version: "1.0.0", scripts: { test: script } }, null, 2),
  );
}

async function startPlan(w: WorkerSandbox, plan: string, extra: string[] = []): Promise<string> {
  const r = await w.sb.run(["start", "--title", "rules", "--model", "m", "--plan", "-", "--json", ...extra], {
    stdin: plan,
  });
  if (r.code !== 0) throw new Error(`start failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout).id as string;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

const RUN_TESTS: Action[] = [
  { read: true },
  { shell: "npm test" },
  { tick: "Run the tests" },
  { tick: "Report" },
  { write: "Ran npm test." },
];

async function runsItsTests(cli: RealCli, plan: string, extra: string[] = []): Promise<void> {
  await using w = await workerSandbox(cli, workerScript(cli, () => RUN_TESTS));
  await npmProject(w.sb.project);
  const id = await startPlan(w, plan, extra);
  const done = await w.waitState(id, ["done", "failed"], 90_000);
  const log = await Deno.readTextFile(`${w.sb.home}/tasks/${id}/worker.log`).catch(() => "");
  assert.equal(done.state, "done", `${done.reason}\n${log.slice(-3000)}`);
  assert.ok(await exists(`${w.sb.project}/tested.txt`), "npm test ran: its marker exists");
  const spec = JSON.parse(await Deno.readTextFile(`${w.sb.home}/tasks/${id}/task.json`));
  assert.equal(spec.tier, "edit");
  assert.ok(spec.permissions.allow.length > 0, "the effective rules are in task.json");
}

Deno.test(
  {
    name:
      "claude worker: in the default tier runs the test command its plan names, without asking, and finishes",
    ignore: !installed("claude"),
  },
  async () => {
    await runsItsTests("claude", "# Plan\n- [ ] Run the tests with `npm test`\n- [ ] Report\n");
  },
);

Deno.test(
  {
    name: "qwen worker: an --allow rule lets it run npm test in the default tier",
    ignore: !installed("qwen"),
  },
  async () => {
    // The plan names no test command: only the --allow rule grants it.
    await runsItsTests("qwen", "# Plan\n- [ ] Run the tests\n- [ ] Report\n", ["--allow", "npm test"]);
  },
);

Deno.test(
  {
    name: "claude worker: a --deny rule refuses a command its plan's default would allow",
    ignore: !installed("claude"),
  },
  async () => {
    await using w = await workerSandbox("claude", workerScript("claude", () => RUN_TESTS));
    await npmProject(w.sb.project);
    const id = await startPlan(w, "# Plan\n- [ ] Run the tests with `npm test`\n- [ ] Report\n", [
      "--deny",
      "npm test *",
    ]);
    const s = await w.waitState(id, ["done", "failed"], 90_000);
    // A refusal is not fatal by itself (issue 9): the worker carried on and finished, and it is counted.
    assert.equal(s.state, "done", String(s.reason));
    assert.equal(s.reason, "All items done; 1 call denied");
    assert.ok(!(await exists(`${w.sb.project}/tested.txt`)), "npm test did not run");
  },
);

Deno.test(
  { name: "qwen worker: without a rule npm test stays refused (the control)", ignore: !installed("qwen") },
  async () => {
    await using w = await workerSandbox("qwen", workerScript("qwen", () => RUN_TESTS));
    await npmProject(w.sb.project);
    const id = await startPlan(w, "# Plan\n- [ ] Run the tests\n- [ ] Report\n");
    await w.waitState(id, ["done", "failed"], 90_000);
    assert.ok(!(await exists(`${w.sb.project}/tested.txt`)), "npm test did not run");
  },
);
