/**
 * kill -9 at each step: a dispatch process killed with SIGKILL at a named
 * step (`src/proc/crash_point.ts`) leaves nothing that reads as untrue and
 * loses no end event. Each test kills one step of a real run (real
 * processes, the fake worker) and checks what every later reader sees.
 * @module
 */
import assert from "node:assert/strict";
import { CRASH_AT } from "../../src/proc/crash_point.ts";
import { LATE_CANCEL_REASON } from "../../src/runtime/cancel.ts";
import {
  journal,
  processesOfTask,
  type Sandbox,
  sandbox,
  startTask,
  taskStatus,
  waitFor,
  waitForNoProcesses,
  waitForState,
  waitForStatus,
} from "../helpers.ts";

/** SIGKILL as the launcher reports it. */
const KILLED = 137;

function crashAt(step: string): Record<string, string> {
  return { [CRASH_AT]: step };
}

async function endEvents(sb: Sandbox, id: string): Promise<string[]> {
  return (await journal(sb.home))
    .filter((e) => e.task === id && ["done", "failed", "cancelled", "waiting"].includes(String(e.type)))
    .map((e) => String(e.type));
}

async function startKilledAt(sb: Sandbox, step: string, model = "tick_all"): Promise<string> {
  const before = new Set(
    await Array.fromAsync(Deno.readDir(`${sb.home}/tasks`)).then((es) => es.map((e) => e.name), () => []),
  );
  const r = await sb.run(["start", "--title", "crash", "--model", model, "--plan", "-"], {
    stdin: "- [ ] one\n- [ ] two\n",
    env: crashAt(step),
  });
  assert.equal(r.code, KILLED, `start was killed at ${step}: ${r.stderr}`);
  const made = (await Array.fromAsync(Deno.readDir(`${sb.home}/tasks`))).map((e) => e.name).filter((n) =>
    !before.has(n)
  );
  assert.equal(made.length, 1, "one task folder was made");
  return made[0]!;
}

async function ageState(sb: Sandbox, id: string, byMs: number): Promise<void> {
  const path = `${sb.home}/tasks/${id}/state.json`;
  const state = JSON.parse(await Deno.readTextFile(path));
  state.since = (state.since ?? Date.now()) - byMs;
  await Deno.writeTextFile(path, JSON.stringify(state));
}

Deno.test("kill -9 in start after the folder is made: listed as an interrupted start, gc removes it", async () => {
  await using sb = await sandbox();
  const id = await startKilledAt(sb, "start:folder");
  const all = await sb.run(["status", "--all", "--json"]);
  assert.equal(all.code, 0, all.stderr);
  const listed = JSON.parse(all.stdout).tasks.find((t: { id: string }) => t.id === id);
  assert.match(String(listed?.damaged), /task\.json is missing: its start was interrupted/);
  assert.deepEqual(await endEvents(sb, id), [], "nothing was announced for a task that never existed");
  const young = await sb.run(["gc"]);
  assert.equal(young.code, 0, young.stderr);
  assert.ok(await Deno.stat(`${sb.home}/tasks/${id}`), "a start that may still be running is left alone");
  const old = new Date(Date.now() - 60_000);
  await Deno.utime(`${sb.home}/tasks/${id}`, old, old);
  const gc = await sb.run(["gc"]);
  assert.equal(gc.code, 0, gc.stderr);
  await assert.rejects(Deno.stat(`${sb.home}/tasks/${id}`), Deno.errors.NotFound);
});

Deno.test("kill -9 in start after the task is recorded, before its supervisor: failed 'never started', once", async () => {
  await using sb = await sandbox();
  const id = await startKilledAt(sb, "start:recorded");
  assert.equal((await taskStatus(sb, id)).state, "starting", "within the grace period it may still start");
  await ageState(sb, id, 31_000);
  const s = await taskStatus(sb, id);
  assert.equal(s.state, "failed");
  assert.equal(s.reason, "Supervisor never started");
  await taskStatus(sb, id);
  assert.deepEqual(await endEvents(sb, id), ["failed"]);
});

Deno.test("kill -9 of the supervisor between spawning its worker and recording it: the worker is stopped, failed once", async () => {
  await using sb = await sandbox();
  const r = await sb.run(["start", "--title", "orphan", "--model", "hang", "--plan", "-", "--json"], {
    stdin: "- [ ] one\n- [ ] two\n",
    env: crashAt("supervisor:spawned"),
  });
  assert.equal(r.code, 0, r.stderr);
  const task = JSON.parse(r.stdout).id as string;
  // The worker runs (the hang scenario never ends on its own) while its supervisor is gone.
  await waitFor("the orphaned worker to run", () => processesOfTask(task).length > 0 || undefined);
  const s = await waitForState(sb, task, ["failed", "done"]);
  assert.equal(s.state, "failed");
  assert.match(String(s.reason), /Supervisor died while the task was starting/);
  await waitForNoProcesses(task, "the orphaned worker to be stopped");
  assert.deepEqual(await endEvents(sb, task), ["failed"]);
});

Deno.test("kill -9 of the supervisor between writing 'done' and journaling it: the next reader journals it, once", async () => {
  await using sb = await sandbox();
  const r = await sb.run(
    ["start", "--title", "lost end", "--model", "tick_all", "--plan", "-", "--json", "--session", "host-k"],
    { stdin: "- [ ] one\n- [ ] two\n", env: crashAt("finalize:state-written") },
  );
  assert.equal(r.code, 0, r.stderr);
  const id = JSON.parse(r.stdout).id as string;
  const announce = `${sb.home}/tasks/${id}/announce.json`;
  await waitFor("the supervisor to die after writing the state", async () => {
    const state = JSON.parse(await Deno.readTextFile(`${sb.home}/tasks/${id}/state.json`));
    return state.state === "done" && processesOfTask(id).length === 0 ? true : undefined;
  });
  assert.ok(await Deno.stat(announce), "the end event waits beside the state");
  assert.deepEqual(await endEvents(sb, id), [], "not journaled yet");
  const w = await sb.run(["watch", "--session", "host-k", "--timeout", "20s"]);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, new RegExp(`${id} done`));
  await taskStatus(sb, id);
  assert.deepEqual(await endEvents(sb, id), ["done"], "journaled exactly once");
  await assert.rejects(Deno.stat(announce), Deno.errors.NotFound);
});

Deno.test("kill -9 of cancel after its mark, before the kill: the worker lives on and its own end is recorded", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "slow");
  await waitForStatus(sb, id, "the worker to run", (s) => s.state === "running" || undefined);
  const c = await sb.run(["cancel", id], { env: crashAt("cancel:marked") });
  assert.equal(c.code, KILLED, c.stderr);
  const s = await waitForState(sb, id, ["done", "failed", "cancelled"]);
  assert.equal(s.state, "done", `a cancel that never reached the worker is not recorded: ${s.reason}`);
  assert.deepEqual(await endEvents(sb, id), ["done"]);
  await assert.rejects(Deno.stat(`${sb.home}/tasks/${id}/cancelled`), Deno.errors.NotFound);
});

Deno.test("kill -9 of cancel after the kill, before recording: cancelled (late), never 'failed'", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "hang");
  await waitForStatus(sb, id, "the worker to run", (s) => s.state === "running" || undefined);
  const c = await sb.run(["cancel", id], { env: crashAt("cancel:stopped") });
  assert.equal(c.code, KILLED, c.stderr);
  const s = await waitForState(sb, id, ["done", "failed", "cancelled"]);
  assert.equal(s.state, "cancelled");
  assert.equal(s.reason, LATE_CANCEL_REASON);
  assert.deepEqual(processesOfTask(id), []);
  await taskStatus(sb, id);
  assert.deepEqual(await endEvents(sb, id), ["cancelled"]);
});

Deno.test("kill -9 of cancel between recording and journaling: the next reader journals 'cancelled', once", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "hang");
  await waitForStatus(sb, id, "the worker to run", (s) => s.state === "running" || undefined);
  const c = await sb.run(["cancel", id], { env: crashAt("announce:committed") });
  assert.equal(c.code, KILLED, c.stderr);
  const s = await taskStatus(sb, id);
  assert.equal(s.state, "cancelled");
  assert.equal(s.reason, "cancelled by the user");
  await taskStatus(sb, id);
  assert.deepEqual(await endEvents(sb, id), ["cancelled"]);
  await waitForNoProcesses(id);
});

Deno.test("kill -9 of answer after storing it: the worker gets it and finishes; a second answer is refused", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "ask");
  await waitForStatus(sb, id, "the question", (s) => (s.questions as unknown[]).length === 1 || undefined);
  const a = await sb.run(["answer", id, "Postgres"], { env: crashAt("answer:stored") });
  assert.equal(a.code, KILLED, a.stderr);
  const s = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(s.state, "done", String(s.reason));
  const again = await sb.run(["answer", id, "MySQL"]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /^dispatch: [^\n]+\n$/);
  assert.deepEqual(await endEvents(sb, id), ["done"]);
});
