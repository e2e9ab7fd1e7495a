/**
 * The claude permission relay end to end: the real claude 2.1.330 worker,
 * offline against the mock Anthropic API, in the default `edit` tier. The
 * scripted model runs `node` writing a file outside the project and the
 * task folder (a command no rule allows, and one the worker's sandbox would
 * refuse): its PreToolUse hook defers it, the request shows in `status
 * --json` as an open question of kind permission, and the answer decides.
 * @module
 */
import assert from "node:assert/strict";
import {
  type Action,
  installed,
  workerLog,
  type WorkerSandbox,
  workerSandbox,
  workerScript,
} from "./worker_e2e.ts";
import { tempDir } from "../temp_dir.ts";

const ignore = !installed("claude");

/** The model's steps: read the plan, run the command, tick both items, write the summary. */
function steps(command: string): Action[] {
  return [
    { read: true },
    { shell: command },
    { tick: "first" },
    { tick: "second" },
    { write: "Ran the command, ticked both items." },
  ];
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Starts the task and waits for its permission question; resolves with the id and the question. */
async function untilAsked(w: WorkerSandbox, command: string, afterRunning?: (id: string) => Promise<void>) {
  const id = await w.start("claude permission");
  if (afterRunning) {
    await w.waitState(id, ["running", "waiting"]);
    await afterRunning(id);
  }
  // The worker has exited with the call deferred: nothing of the task runs while it waits.
  const s = await w.waitExited(id);
  assert.equal(s.state, "waiting", `${s.reason}\n${(await workerLog(w, id)).slice(-3000)}`);
  const questions = s.questions as Record<string, unknown>[];
  assert.equal(questions.length, 1, JSON.stringify(s));
  const q = questions[0]!;
  assert.equal(q.kind, "permission");
  assert.equal((q.request as Record<string, unknown>).command, command);
  assert.match(String(s.reason), /Waiting on a permission/);
  return { id, n: q.n as number };
}

async function relay(
  decision: string[],
  opts: { killSupervisor?: boolean } = {},
): Promise<
  { state: Record<string, unknown>; ran: boolean; log: string; journal: Record<string, unknown>[] }
> {
  await using outside = await tempDir("dispatch-relay-outside-");
  const marker = `${outside.path}/approved.txt`;
  const command = `node -e "require('fs').writeFileSync('${marker}','ran')"`;
  await using w = await workerSandbox("claude", workerScript("claude", () => steps(command)));
  const killSupervisor = async (id: string) => {
    const st = JSON.parse(await Deno.readTextFile(`${w.sb.home}/tasks/${id}/state.json`));
    if (typeof st.supervisor === "number") Deno.kill(st.supervisor, "SIGKILL");
  };
  const { id, n } = await untilAsked(w, command, opts.killSupervisor ? killSupervisor : undefined);
  assert.equal(await exists(marker), false, "nothing ran before the answer");
  const r = await w.sb.run(["answer", id, "--question", String(n), ...decision]);
  assert.equal(r.code, 0, r.stderr);
  const state = await w.waitState(id, ["done", "failed"], 60_000);
  const log = await workerLog(w, id);
  assert.equal(state.state, "done", `${state.reason}\n${log.slice(-3000)}`);
  const journal = (await Deno.readTextFile(`${w.sb.home}/journal.jsonl`)).split("\n").filter(Boolean)
    .map((l) => JSON.parse(l)).filter((e) => e.task === id);
  return { state, ran: await exists(marker), log, journal };
}

Deno.test({
  name:
    "claude permission relay: its supervisor killed while the request is pending, allow resumes it and the command runs outside the sandbox",
  ignore,
}, async () => {
  const { state, ran, log, journal } = await relay(["allow"], { killSupervisor: true });
  assert.ok(ran, "the approved command ran");
  assert.equal(state.reason, "All items done");
  assert.match(log, /"stop_reason":"tool_deferred"/);
  const asked = journal.find((e) => e.type === "question")!;
  assert.equal(asked.kind, "permission");
  assert.match(String(asked.text), /^run "node -e /);
});

Deno.test(
  { name: "claude permission relay: deny hands the worker the reason; done, 1 call denied", ignore },
  async () => {
    const { state, ran, log, journal } = await relay(["deny", "use the fixture instead"]);
    assert.equal(ran, false, "the denied command did not run");
    assert.equal(state.reason, "All items done; 1 call denied");
    assert.match(log, /The user denied this command: use the fixture instead/);
    assert.equal(journal.find((e) => e.type === "done")?.denied, 1);
  },
);
