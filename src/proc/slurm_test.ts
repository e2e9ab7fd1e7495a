import assert from "node:assert/strict";
import { clientEnv, isActive, parseJobLine, slurmClient } from "./slurm.ts";

Deno.test("parseJobLine reads the state, the pending reason and ExitCode code:signal", () => {
  const pending = parseJobLine(
    "JobId=7 JobName=dispatch-x-0001 JobState=PENDING Reason=Resources ExitCode=0:0",
  );
  assert.deepEqual(pending, { state: "PENDING", reason: "Resources", exitCode: 0, signal: 0 });
  assert.ok(isActive(pending));
  const failed = parseJobLine(
    "JobId=8 JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=3:0",
  );
  assert.deepEqual(failed, { state: "FAILED", reason: "NonZeroExitCode", exitCode: 3, signal: 0 });
  assert.ok(!isActive(failed));
  const killed = parseJobLine("JobId=9 JobState=CANCELLED Reason=None ExitCode=0:15");
  assert.deepEqual(killed, { state: "CANCELLED", exitCode: 0, signal: 15 }); // "None" is no reason
  assert.equal(parseJobLine("slurm_load_jobs error: Invalid job id specified"), undefined);
  assert.ok(!isActive(undefined), "a job the controller forgot is not active");
});

Deno.test("clientEnv keeps what the Slurm clients read and nothing of the worker's", () => {
  const kept = clientEnv({
    PATH: "/bin",
    SLURM_CONF: "/c",
    HOME: "/h",
    ANTHROPIC_API_KEY: "k",
    DISPATCH_TASK: "t",
  });
  assert.deepEqual(kept, { PATH: "/bin", SLURM_CONF: "/c", HOME: "/h" });
});

Deno.test("slurmClient names a missing client in one line", async () => {
  await assert.rejects(
    () => slurmClient({ PATH: "/nonexistent" }, "sbatch", ["--version"]),
    /^Error: sbatch is not installed or not on PATH$/,
  );
});
