import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { readStat } from "../proc/procfs.ts";
import { ancestorCarriesTask, ancestors, insideWorker, workerIdentity } from "./caller.ts";

/** A live process whose environment names `task`, as a worker's wrapper's does. */
function fakeWrapper(task: string): Deno.ChildProcess {
  return new Deno.Command("sleep", {
    args: ["30"],
    env: { DISPATCH_TASK: task },
    stdout: "null",
    stderr: "null",
  })
    .spawn();
}

Deno.test("workerIdentity: the task whose recorded worker pid and start time an ancestor has", async () => {
  await using ctx = await testCtx();
  const wrapper = fakeWrapper("mine-0001");
  try {
    const stat = readStat(wrapper.pid)!;
    await seedTask(ctx, "mine-0001", {
      state: { state: "running", pid: wrapper.pid, pidStart: stat.startTime },
    });
    assert.deepEqual(workerIdentity(ctx.home, [stat]), { task: "mine-0001", claimed: [] });
  } finally {
    wrapper.kill();
    await wrapper.status;
  }
});

Deno.test("workerIdentity: an environment naming a task whose recorded pid is another process verifies nothing", async () => {
  await using ctx = await testCtx();
  // A worker's child that sets DISPATCH_TASK=victim: the victim's recorded worker is someone else.
  const forger = fakeWrapper("victim-0002");
  try {
    const stat = readStat(forger.pid)!;
    await seedTask(ctx, "victim-0002", { state: { state: "running", pid: Deno.pid, pidStart: "1" } });
    assert.deepEqual(workerIdentity(ctx.home, [stat]), { claimed: ["victim-0002"] });
    // A recycled pid (same number, other start time) is no match either.
    await seedTask(ctx, "victim-0002", { state: { state: "running", pid: forger.pid, pidStart: "0" } });
    assert.equal(workerIdentity(ctx.home, [stat]).task, undefined);
  } finally {
    forger.kill();
    await forger.status;
  }
});

Deno.test("ancestors: the test process's chain reaches init; insideWorker sees an ancestor's DISPATCH_TASK", () => {
  const chain = ancestors();
  assert.ok(chain.length > 0);
  assert.equal(chain[0]!.pid, readStat(Deno.pid)!.ppid);
  assert.equal(insideWorker({ DISPATCH_TASK: "x-1" }, []), "x-1");
  assert.equal(insideWorker({}, []), undefined);
});

Deno.test("ancestorCarriesTask: any ancestor with DISPATCH_TASK in its environment, even empty, counts", async () => {
  const spawn = (env: Record<string, string>) =>
    new Deno.Command("sleep", { args: ["30"], env, clearEnv: true, stdout: "null", stderr: "null" }).spawn();
  const empty = spawn({ DISPATCH_TASK: "" });
  const none = spawn({ OTHER: "1" });
  try {
    for (const child of [empty, none]) { // until it has exec'd sleep with the environment we gave it
      while (!(await Deno.readTextFile(`/proc/${child.pid}/cmdline`)).split("\0")[0]!.endsWith("sleep")) {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const stat = (pid: number) => readStat(pid)!;
    assert.equal(ancestorCarriesTask([stat(empty.pid)]), true);
    assert.equal(ancestorCarriesTask([stat(none.pid)]), false);
    assert.equal(insideWorker({}, [stat(empty.pid)]), undefined, "silence needs a task named");
  } finally {
    empty.kill("SIGKILL");
    none.kill("SIGKILL");
    await empty.status;
    await none.status;
  }
});
