/**
 * Workers as jobs of a real Slurm cluster (issue 12): one single-node
 * cluster on 127.0.0.1 for the whole file (test/slurm_cluster.ts), the
 * scripted fake worker and the real claude (mock model) submitted through
 * the slurm runner.
 * @module
 */
import assert from "node:assert/strict";
import {
  type Sandbox,
  sandbox,
  scenarioConfig,
  startTask,
  waitFor,
  waitForNoProcesses,
  waitForState,
} from "../helpers.ts";
import { allScenarios } from "../helpers.ts";
import { type SlurmCluster, slurmCluster, slurmMissing } from "../slurm_cluster.ts";
import { assertResumed, installed, workerSandbox, workerScript } from "./worker_e2e.ts";

const missing = slurmMissing();
if (missing) console.error(`skipping test/e2e/slurm_test.ts: ${missing}`);

const RUNNERS = [
  "runners:",
  "  hpc: { type: slurm, args: [--time=5], poll: 200ms }",
  "  held: { type: slurm, args: [--hold] }",
].join("\n") + "\n";

const IN_JOB = [
  "backends:",
  "  in-job:",
  `    command: "sh -c 'echo in-job $SLURM_JOB_ID; exit 3' sh"`,
  `    model_flag: ""`,
  "    runner: hpc",
].join("\n");

/** The scenario config plus the runners and a backend that runs on `hpc` by its own config. */
function config(): string {
  return scenarioConfig(allScenarios()).replace("backends:\n", `${IN_JOB}\n`)
    .replace("models:\n", "models:\n  in-job: { backend: in-job }\n") + RUNNERS;
}

async function jobOf(sb: Sandbox, id: string): Promise<string> {
  const s = await waitForState(sb, id, ["queued", "running", "waiting", "done", "failed", "cancelled"]);
  return await waitFor(`${id}'s job id`, async () => {
    const r = JSON.parse((await sb.run(["status", id, "--json"])).stdout).tasks[0];
    return typeof r.job_id === "string" ? r.job_id as string : undefined;
  }, 30_000).then((j) => (void s, j));
}

/** Waits until the scheduler no longer lists `job` as pending, running or completing. */
function jobGone(cluster: SlurmCluster, job: string): Promise<true> {
  return waitFor(`job ${job} to leave squeue`, async () => {
    const r = await cluster.run("squeue", ["-h", "-j", job, "-o", "%i %T"]);
    return r.stdout.trim() === "" ? true : undefined;
  }, 15_000);
}

Deno.test(
  { name: "slurm runner: workers run as jobs of a real cluster", ignore: missing !== undefined },
  async (t) => {
    await using cluster = (await slurmCluster())!;
    await using sb = await sandbox(config());
    Object.assign(sb.env, { SLURM_CONF: cluster.conf });

    await t.step("a worker asks, is answered and finishes as a job", async () => {
      const id = await startTask(sb, "ask", ["--runner", "hpc"]);
      const job = await jobOf(sb, id);
      const waiting = await waitForState(sb, id, ["waiting"], 30_000);
      assert.deepEqual(waiting.questions, [{ n: 1, text: "Which database should I use?" }]);
      assert.equal(waiting.runner, "hpc");
      assert.equal((await sb.run(["answer", id, "Use PostgreSQL"])).code, 0);
      const done = await waitForState(sb, id, ["done", "failed"], 30_000);
      assert.equal(done.state, "done", String(done.reason));
      assert.equal(done.job_id, job);
      const shown = await cluster.run("scontrol", ["show", "job", "-o", job]);
      assert.match(shown.stdout, new RegExp(`JobName=dispatch-${id} `));
      assert.match(shown.stdout, /JobState=COMPLETED /);
      assert.match((await sb.run(["status", id])).stdout, new RegExp(`runner +hpc \\(slurm, job ${job}\\)`));
      await jobGone(cluster, job);
    });

    await t.step("a job that exits 3 is failed with exit code 3, and ran with its SLURM_JOB_ID", async () => {
      const id = await startTask(sb, "in-job"); // its backend names the runner
      const s = await waitForState(sb, id, ["done", "failed"], 30_000);
      assert.equal(s.state, "failed");
      assert.equal(s.exit_code, 3);
      assert.equal(s.reason, "Worker exited with code 3");
      const log = await Deno.readTextFile(`${sb.home}/tasks/${id}/worker.log`);
      assert.match(log, new RegExp(`^in-job ${s.job_id}$`, "m"));
    });

    await t.step("a hanging job is cancelled with scancel: no job, no process left", async () => {
      const id = await startTask(sb, "hang", ["--runner", "hpc"]);
      const job = await jobOf(sb, id);
      await waitForState(sb, id, ["running"], 30_000);
      assert.equal((await sb.run(["cancel", id])).code, 0);
      assert.equal((await waitForState(sb, id, ["cancelled", "failed", "done"])).state, "cancelled");
      await jobGone(cluster, job);
      await waitForNoProcesses(id);
    });

    await t.step("a job killed with scancel behind dispatch's back is seen as dead", async () => {
      const id = await startTask(sb, "hang", ["--runner", "hpc"]);
      const job = await jobOf(sb, id);
      await waitForState(sb, id, ["running"], 30_000);
      await cluster.run("scancel", [job]);
      const s = await waitForState(sb, id, ["failed", "done", "cancelled"], 30_000);
      assert.equal(s.state, "failed");
      assert.match(String(s.reason), /SIGTERM|signal 15|Slurm job/);
      await jobGone(cluster, job);
      await waitForNoProcesses(id);
    });

    await t.step("a timeout stops the job with scancel", async () => {
      const id = await startTask(sb, "hang", ["--runner", "hpc", "--timeout", "1s"]);
      const job = await jobOf(sb, id);
      const s = await waitForState(sb, id, ["failed", "done", "cancelled"], 30_000);
      assert.match(String(s.reason), /^Timed out after 1s/);
      await jobGone(cluster, job);
    });

    await t.step(
      "a pending job is queued with the scheduler's reason; liveness comes from the scheduler",
      async () => {
        const id = await startTask(sb, "hang", ["--runner", "held"]);
        const job = await jobOf(sb, id);
        const queued = await waitFor("the scheduler's reason", async () => {
          const r = JSON.parse((await sb.run(["status", id, "--json"])).stdout).tasks[0];
          return r.state === "queued" && /pending: JobHeld/.test(r.reason) ? r : undefined;
        }, 30_000);
        assert.equal(queued.job_id, job);
        assert.match((await sb.run(["status"])).stdout, new RegExp(`Slurm job ${job} pending: JobHeld`));
        // Its supervisor dies: no local pid is left, but the job is still the scheduler's, so it is not dead.
        const state = JSON.parse(await Deno.readTextFile(`${sb.home}/tasks/${id}/state.json`));
        Deno.kill(state.supervisor, "SIGKILL");
        await waitFor("the supervisor to die", () => {
          const stat = Deno.readTextFileSync(`/proc/${state.supervisor}/stat`);
          return /\) Z/.test(stat) ? true : undefined;
        }).catch(() => true); // reaped already
        assert.equal((await waitForState(sb, id, ["queued", "failed"])).state, "queued");
        // The job vanishes (released and cancelled behind dispatch's back): now it is dead.
        await cluster.run("scancel", [job]);
        await jobGone(cluster, job);
        const s = await waitForState(sb, id, ["failed", "done", "cancelled"], 30_000);
        assert.equal(s.state, "failed");
        assert.match(String(s.reason), new RegExp(`Slurm job ${job} ended CANCELLED`));
      },
    );

    await t.step(
      "doctor checks each runner: scheduler, shared home from a job, CLIs on the node",
      async () => {
        const doctorConfig = [
          "default: m",
          "backends:",
          "  fake: { command: \"sh -c 'exit 0' sh\", model_flag: '', runner: hpc }",
          "models:",
          "  m: { backend: fake }",
          "runners:",
          "  hpc: { type: slurm }",
          "  bad: { type: slurm, args: [--partition=nowhere] }",
        ].join("\n") + "\n";
        await using other = await sandbox(doctorConfig);
        Object.assign(other.env, { SLURM_CONF: cluster.conf });
        const r = await other.run(["doctor"]);
        assert.equal(r.code, 1, r.stdout); // the bad runner is not ready
        assert.match(r.stdout, /^✓ runner hpc +scheduler +Slurmctld\(primary\) at \S+ is UP$/m);
        assert.match(r.stdout, /^✓ runner hpc +shared home +job \d+ wrote to /m);
        assert.match(r.stdout, /^✓ runner hpc +on the node +found \S+\/bin\/dispatch, sh$/m);
        assert.match(
          r.stdout,
          /^✗ runner bad +shared home +sbatch refused a test job: .*partition.*Fix: correct runners/m,
        );
        assert.match(r.stdout, /^✗ runner bad +on the node +srun: .*partition/m);
        const broken = await other.run(["doctor"], { env: { SLURM_CONF: `${cluster.dir}/missing.conf` } });
        assert.match(
          broken.stdout,
          /^✗ runner hpc +scheduler +SLURM_CONF names no file: .*Fix: point SLURM_CONF/m,
        );
        assert.match(broken.stdout, /^- runner hpc +shared home +skipped: no scheduler$/m);
      },
    );

    await t.step({
      name:
        "the real claude worker (mock model) runs as a job; the answer resumes it in a new job, same session",
      ignore: !installed("claude"),
      fn: async () => {
        await using w = await workerSandbox(
          "claude",
          workerScript(
            "claude",
            (resumed) =>
              resumed
                ? [{ read: true }, { tick: "second" }, { write: "Resumed and finished." }]
                : [{ read: true }, { tick: "first" }, { ask: "Which database should I use?", timeout: "1s" }],
            "Waiting for the answer.",
          ),
        );
        const cfg = JSON.parse(await Deno.readTextFile(`${w.sb.home}/config.yaml`));
        cfg.runners = { hpc: { type: "slurm", poll: "200ms" } };
        await Deno.writeTextFile(`${w.sb.home}/config.yaml`, JSON.stringify(cfg));
        Object.assign(w.sb.env, { SLURM_CONF: cluster.conf });
        const id = await w.start("claude on slurm", ["--runner", "hpc"]);
        const first = await w.waitExited(id);
        assert.equal(first.state, "waiting", String(first.reason));
        assert.equal(typeof first.job_id, "string");
        const before = w.server.modelRequests().length;
        assert.equal((await w.sb.run(["answer", id, "Use PostgreSQL"])).code, 0);
        const done = await w.waitState(id, ["done", "failed"]);
        assert.equal(done.state, "done", String(done.reason));
        assert.notEqual(done.job_id, first.job_id, "the resume ran as a new job");
        const resumed = w.server.modelRequests().slice(before).map((r) => r.normalized!).find((n) =>
          n.toolNames.length > 0
        );
        assert.ok(resumed, "the resumed worker called the model");
        assertResumed({ id, first, done, resumed: resumed! }, "native session");
        const jobs = await cluster.run("scontrol", ["show", "job", "-o", String(done.job_id)]);
        assert.match(jobs.stdout, new RegExp(`JobName=dispatch-${id} .*JobState=COMPLETED`));
      },
    });
  },
);
