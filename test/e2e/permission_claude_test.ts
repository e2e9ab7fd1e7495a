/**
 * The claude permission relay end to end: the real claude 2.1.330 worker,
 * offline against the mock Anthropic API, in the default `edit` tier. The
 * scripted model runs `node` appending to a file in /var/tmp, outside the
 * project and the task folder (a command no rule allows, and a write the
 * worker's sandbox refuses: there `/` is read-only but for /tmp and its
 * folders): its PreToolUse hook defers it, the request shows in `status
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

const ignore = !installed("claude");

/** The model's steps: read the plan, run the command (once per item with `twice`), tick, write the summary. */
function steps(command: string, twice: boolean): Action[] {
  return [
    { read: true },
    { shell: command },
    { tick: "first" },
    ...(twice ? [{ shell: command }] : []),
    { tick: "second" },
    { write: "Ran the command, ticked both items." },
  ];
}

async function readOrEmpty(path: string): Promise<string> {
  return await Deno.readTextFile(path).catch(() => "");
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
  opts: { killSupervisor?: boolean; twice?: boolean } = {},
): Promise<
  { state: Record<string, unknown>; ran: string; log: string; journal: Record<string, unknown>[] }
> {
  const outside = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "dispatch-relay-outside-" });
  await using _ = { [Symbol.asyncDispose]: () => Deno.remove(outside, { recursive: true }).catch(() => {}) };
  const marker = `${outside}/approved.txt`;
  const command = `node -e "require('fs').appendFileSync('${marker}','ran;')"`;
  await using w = await workerSandbox(
    "claude",
    workerScript("claude", () => steps(command, opts.twice ?? false)),
  );
  const killSupervisor = async (id: string) => {
    const st = JSON.parse(await Deno.readTextFile(`${w.sb.home}/tasks/${id}/state.json`));
    if (typeof st.supervisor === "number") Deno.kill(st.supervisor, "SIGKILL");
  };
  const { id, n } = await untilAsked(w, command, opts.killSupervisor ? killSupervisor : undefined);
  assert.equal(await readOrEmpty(marker), "", "nothing ran before the answer");
  const r = await w.sb.run(["answer", id, "--question", String(n), ...decision]);
  assert.equal(r.code, 0, r.stderr);
  const state = await w.waitState(id, ["done", "failed"], 60_000);
  const log = await workerLog(w, id);
  assert.equal(state.state, "done", `${state.reason}\n${log.slice(-3000)}`);
  const journal = (await Deno.readTextFile(`${w.sb.home}/journal.jsonl`)).split("\n").filter(Boolean)
    .map((l) => JSON.parse(l)).filter((e) => e.task === id);
  return { state, ran: await readOrEmpty(marker), log, journal };
}

Deno.test({
  name:
    "claude permission relay: supervisor killed while the request is pending; always resumes it, the command runs outside the sandbox, and again later unasked",
  ignore,
}, async () => {
  const { state, ran, log, journal } = await relay(["always"], { killSupervisor: true, twice: true });
  assert.equal(ran, "ran;ran;", "the approved command ran twice, where the worker's sandbox could not write");
  assert.equal(state.reason, "All items done");
  assert.match(log, /"stop_reason":"tool_deferred"/);
  const asked = journal.filter((e) => e.type === "question");
  assert.equal(asked.length, 1, "the second call was not asked");
  assert.equal(asked[0]!.kind, "permission");
  assert.match(String(asked[0]!.text), /^run "node -e /);
  assert.ok(journal.some((e) => e.type === "answered" && e.text === "always: granted earlier"));
});

Deno.test(
  { name: "claude permission relay: deny hands the worker the reason; done, 1 call denied", ignore },
  async () => {
    const { state, ran, log, journal } = await relay(["deny", "use the fixture instead"]);
    assert.equal(ran, "", "the denied command did not run");
    assert.equal(state.reason, "All items done; 1 call denied");
    assert.match(log, /The user denied this command: use the fixture instead/);
    assert.equal(journal.find((e) => e.type === "done")?.denied, 1);
  },
);

Deno.test(
  {
    name:
      "claude permission relay: allow runs the command once, outside the sandbox, and the worker finishes",
    ignore,
  },
  async () => {
    const { state, ran, log } = await relay(["allow"]);
    assert.equal(ran, "ran;", "the allowed command ran once, where the worker's sandbox could not write");
    assert.equal(state.reason, "All items done");
    assert.match(log, /"stop_reason":"tool_deferred"/);
  },
);
