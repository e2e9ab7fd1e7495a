import assert from "node:assert/strict";
import { seedTask, testCtx, until } from "../../test/fake_ctx.ts";
import { configSchema } from "../config/schema.ts";
import { startTimeOf } from "../proc/procfs.ts";
import { emit } from "./events.ts";
import { waitForSlot } from "./queue.ts";
import { tempDir } from "../../test/temp_dir.ts";
import { taskPaths } from "../store/paths.ts";
import { readState, type RunnerSpec, updateState } from "../store/tasks.ts";
import { cancelMarker, cancelTask } from "./cancel.ts";
import { reconcileTask } from "./reconcile.ts";
import { batchScript, JobCancelError } from "./runner_slurm.ts";

Deno.test("batchScript passes every word of the wrapper verbatim: quotes, $(...), backticks, newlines", async () => {
  await using dir = await tempDir();
  const planted = `${dir.path}/planted`;
  const hostile = `a'b "c" $(touch ${planted}) \`touch ${planted}\` $HOME\nline 2 \\ ;|&`;
  const script = `${dir.path}/job.sh`;
  await Deno.writeTextFile(script, batchScript(["printf", "%s|", hostile, "two"], `${dir.path}/report`));
  const out = await new Deno.Command("sh", { args: [script], stdout: "piped" }).output();
  assert.equal(new TextDecoder().decode(out.stdout), `${hostile}|two|`);
  await assert.rejects(() => Deno.stat(planted), Deno.errors.NotFound);
  // It reported its own pid and /proc start time, which exec kept for the wrapper.
  assert.match(await Deno.readTextFile(`${dir.path}/report`), /^\d+ \d+\n$/);
});

/** A fake `scontrol` on a PATH of its own that prints `answer` (or fails as for a forgotten job). */
async function fakeScheduler(dir: string, answer: string | undefined): Promise<RunnerSpec> {
  const body = answer === undefined
    ? 'echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1'
    : `echo '${answer}'`;
  await Deno.writeTextFile(`${dir}/scontrol`, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  await Deno.writeTextFile(`${dir}/sacct`, "#!/bin/sh\nexit 1\n", { mode: 0o755 }); // no accounting
  return { name: "hpc", type: "slurm", args: [], pollMs: 500, env: { PATH: `${dir}:/usr/bin:/bin` } };
}

async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("reconcile: a slurm task with no supervisor and no local pid lives while the scheduler runs its job", async () => {
  await using ctx = await testCtx();
  await using bin = await tempDir();
  const gone = await deadPid();
  for (
    const [id, answer, state] of [
      ["run-0001", "JobId=5 JobState=RUNNING Reason=None ExitCode=0:0", "running"],
      ["queue-0002", "JobId=6 JobState=PENDING Reason=Priority ExitCode=0:0", "queued"],
    ] as const
  ) {
    const runner = await fakeScheduler(bin.path, answer);
    await seedTask(ctx, id, { spec: { runner }, state: { state, supervisor: gone, job: { id: "5" } } });
    assert.equal((await reconcileTask(ctx, id)).state, state);
  }
});

Deno.test("reconcile: a slurm job that vanished is dead: from the wrapper's code, else the scheduler's, else none", async () => {
  await using ctx = await testCtx();
  await using bin = await tempDir();
  const gone = await deadPid();
  const seed = async (id: string, answer: string | undefined) => {
    const runner = await fakeScheduler(bin.path, answer);
    await seedTask(ctx, id, {
      spec: { runner },
      state: { state: "running", supervisor: gone, job: { id: "9" } },
    });
  };
  await seed("coded-0001", undefined);
  await Deno.writeTextFile(taskPaths(ctx.home, "coded-0001").exit, "3\n");
  const coded = await reconcileTask(ctx, "coded-0001");
  assert.deepEqual([coded.state, coded.code], ["failed", 3]);

  await seed("sched-0002", "JobId=9 JobState=FAILED Reason=NonZeroExitCode ExitCode=4:0");
  const sched = await reconcileTask(ctx, "sched-0002");
  assert.deepEqual([sched.state, sched.code, sched.reason], ["failed", 4, "Worker exited with code 4"]);

  await seed("killed-0003", "JobId=9 JobState=CANCELLED Reason=None ExitCode=0:9");
  const killed = await reconcileTask(ctx, "killed-0003");
  assert.equal(killed.state, "failed");
  assert.equal(killed.reason, "Slurm job 9 ended CANCELLED: killed by signal 9, no exit code recorded");

  await seed("vanished-0004", undefined);
  const vanished = await reconcileTask(ctx, "vanished-0004");
  assert.deepEqual([vanished.state, vanished.code], ["failed", null]);
  assert.match(
    String(vanished.reason),
    /^Slurm job 9 is gone from the scheduler and the worker recorded no exit code/,
  );
});

Deno.test("reconcile: a controller that does not answer is not a dead job", async () => {
  await using ctx = await testCtx();
  await using bin = await tempDir();
  await Deno.writeTextFile(
    `${bin.path}/scontrol`,
    "#!/bin/sh\necho 'Unable to contact slurm controller' >&2; exit 1\n",
    {
      mode: 0o755,
    },
  );
  const runner: RunnerSpec = {
    name: "hpc",
    type: "slurm",
    args: [],
    pollMs: 500,
    env: { PATH: `${bin.path}:/bin` },
  };
  await seedTask(ctx, "down-0001", {
    spec: { runner },
    state: { state: "running", supervisor: await deadPid(), job: { id: "2" } },
  });
  assert.equal((await reconcileTask(ctx, "down-0001")).state, "running");
});

Deno.test("cancel: a scheduler that refuses scancel is one line, and the task is not recorded cancelled", async () => {
  await using ctx = await testCtx();
  await using bin = await tempDir();
  await Deno.writeTextFile(
    `${bin.path}/scancel`,
    "#!/bin/sh\necho 'scancel: error: Access/permission denied' >&2; exit 1\n",
    {
      mode: 0o755,
    },
  );
  const runner: RunnerSpec = {
    name: "hpc",
    type: "slurm",
    args: [],
    pollMs: 500,
    env: { PATH: `${bin.path}:/bin` },
  };
  await seedTask(ctx, "held-0001", { spec: { runner }, state: { state: "queued", job: { id: "12" } } });
  await assert.rejects(
    () => cancelTask(ctx, "held-0001", "by the user"),
    (e: unknown) =>
      e instanceof JobCancelError &&
      e.message ===
        "Could not cancel task held-0001: scancel could not cancel job 12: scancel: error: Access/permission denied (is the Slurm controller reachable? 'dispatch doctor' checks)",
  );
  assert.equal(readState(ctx.home, "held-0001").state, "queued");
  await assert.rejects(() => Deno.stat(cancelMarker(ctx.home, "held-0001")), Deno.errors.NotFound);
});

Deno.test("queue: a task pending in the scheduler holds its slot, as its running job would", async () => {
  await using ctx = await testCtx();
  const live = { supervisor: Deno.pid, supervisorStart: startTimeOf(Deno.pid) };
  // An older task queued here (waiting for a slot) goes first; one queued in Slurm is past that and busy.
  await seedTask(ctx, "held-0001", { state: { state: "queued", job: { id: "3" }, ...live } });
  const me = await seedTask(ctx, "next-0002");
  const cap = (n: number) => configSchema.parse({ limits: { max_concurrent: n } });
  const slot = (n: number) => waitForSlot(ctx, me, cap(n), { pollMs: 60_000 });
  assert.equal(await slot(2), true, "one slot is left beside the held job");
  await updateState(ctx.home, me.id, () => ({ state: "starting" }));
  let settled = false;
  const waiting = slot(1).finally(() => settled = true);
  await until(() => settled || readState(ctx.home, me.id).state === "queued");
  assert.ok(!settled, "admitted beside the held job, over a cap of 1");
  await updateState(ctx.home, "held-0001", (s) => ({ ...s, state: "cancelled" }));
  await emit(ctx, { ...me, id: "held-0001" }, { type: "cancelled" }); // the journal line wakes the queue
  assert.equal(await waiting, true);
});
