import assert from "node:assert/strict";
import { isAlive } from "../src/proc/procfs.ts";
import {
  journal,
  processesOfTask,
  sandbox,
  startTask,
  taskStatus,
  waitFor,
  waitForNoProcesses,
  waitForState,
} from "./helpers.ts";

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.push(Number(e.name));
    } catch {
      // gone
    }
  }
  return out;
}

async function stateFile(home: string, id: string) {
  return JSON.parse(await Deno.readTextFile(`${home}/tasks/${id}/state.json`));
}

async function runningPids(home: string, id: string) {
  return await waitFor("the worker to run", async () => {
    const s = await stateFile(home, id);
    return s.pid && s.supervisor ? s as { pid: number; supervisor: number } : undefined;
  });
}

Deno.test("faults: kill -9 of the worker is recorded as failed with the signal", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "hang");
  const { pid } = await runningPids(sb.home, id);
  const worker = await waitFor("the worker process", () => childrenOf(pid)[0]);
  Deno.kill(worker, "SIGKILL");
  const s = await waitForState(sb, id, ["failed", "done"]);
  assert.equal(s.state, "failed");
  assert.equal(s.exit_code, 137);
  assert.equal(s.reason, "Worker killed by SIGKILL (exit 137)");
  // The CLI's own children (here the process behind the killed shell) do not outlive it.
  await waitForNoProcesses(id, "the rest of the tree to go");
});

Deno.test("faults: kill -9 of the supervisor mid-task; the worker's exit is still recorded with its code", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "slow");
  const { supervisor } = await runningPids(sb.home, id);
  Deno.kill(supervisor, "SIGKILL");
  // Nothing supervises the worker now; its wrapper records the exit code and a reader reconciles.
  const s = await waitForState(sb, id, ["done", "failed"], 20_000);
  assert.equal(s.state, "done", String(s.reason));
  assert.equal(s.exit_code, 0);
  const events = (await journal(sb.home)).filter((e) =>
    e.task === id && (e.type === "done" || e.type === "failed")
  );
  assert.equal(events.length, 1, "the end is journaled exactly once");
});

Deno.test("faults: kill -9 of supervisor and worker together; never shown running", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "hang");
  const { pid, supervisor } = await runningPids(sb.home, id);
  Deno.kill(supervisor, "SIGKILL");
  Deno.kill(-pid, "SIGKILL");
  const s = await waitForState(sb, id, ["failed", "done"]);
  assert.equal(s.state, "failed");
  assert.equal(s.exit_code, null);
  assert.match(String(s.reason), /no exit code was recorded/);
  assert.deepEqual(processesOfTask(id), []);
});

Deno.test("faults: cancel kills the whole tree, tool shells in their own session included", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "spawn_hang");
  await waitFor("the tool shell", () => processesOfTask(id).length >= 3 ? true : undefined);
  const before = processesOfTask(id);
  const r = await sb.run(["cancel", id, "--reason", "changed my mind"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Cancelled ${id}`));
  await waitForNoProcesses(id, "every process to be gone");
  for (const pid of before) assert.ok(!isAlive(pid), `pid ${pid} still alive`);
  const s = await taskStatus(sb, id);
  assert.equal(s.state, "cancelled");
  assert.equal(s.reason, "changed my mind");
  const again = await sb.run(["cancel", id]);
  assert.match(again.stdout, /already ended/);
});

Deno.test("faults: a timeout kills the tree and fails the task", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "spawn_hang", ["--timeout", "1s"]);
  const s = await waitForState(sb, id, ["failed", "done"], 15_000);
  assert.equal(s.state, "failed");
  assert.match(String(s.reason), /^Timed out after 1s/);
  await waitForNoProcesses(id, "every process to be gone");
});

Deno.test("faults: cancel does not touch processes it did not start", async () => {
  await using sb = await sandbox();
  // Disposing a child process kills it and waits for it.
  await using bystander = new Deno.Command("sleep", {
    args: ["30"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  })
    .spawn();
  const id = await startTask(sb, "hang");
  await runningPids(sb.home, id);
  assert.equal((await sb.run(["cancel", "--all"])).code, 0);
  await waitForNoProcesses(id, "the worker to go");
  Deno.kill(bystander.pid, "SIGCONT"); // throws if cancel killed it
});
