import assert from "node:assert/strict";
import { isEmpty, killAll, removeCgroup } from "./cgroup.ts";
import { confirmCgroup, joinFile, prepareCgroup } from "./containment.ts";
import { writableCgroupParent } from "../../test/cgroup_helpers.ts";

const CGROUPS = writableCgroupParent() !== undefined;
if (!CGROUPS) console.log("containment_test: no writable cgroup v2 here; its cgroup tests are skipped");

Deno.test("prepareCgroup: DISPATCH_CONTAINMENT=process-tree forces the fallback; no cgroup means process-tree", async () => {
  assert.equal(prepareCgroup("t-1", "/h", { DISPATCH_CONTAINMENT: "process-tree" }), undefined);
  assert.equal(joinFile(undefined), "", "the wrapper then skips joining");
  assert.deepEqual(await confirmCgroup(undefined, Deno.pid), { kind: "process-tree" });
});

/** Runs `sh -c script` with the cgroup's procs file as $1 until the test is done with it. */
async function withShell(cg: string, script: string, fn: (pid: number) => Promise<void>) {
  await using child = new Deno.Command("sh", {
    args: ["-c", script, "sh", joinFile(cg)],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await fn(child.pid);
  } finally {
    killAll(cg);
    for (let i = 0; i < 200 && !isEmpty(cg); i++) await new Promise((r) => setTimeout(r, 25));
    removeCgroup(cg);
  }
}

Deno.test({
  name:
    "confirmCgroup: a wrapper that joined is recorded as cgroup; one that did not is process-tree, not a claim",
  ignore: !CGROUPS,
  async fn() {
    const joined = prepareCgroup("c-joined", "/h", {})!;
    assert.match(joined, /\/dispatch\/c-joined-[0-9a-f]{8}$/);
    await withShell(joined, 'echo $$ >"$1"; exec sleep 30', async (pid) => {
      assert.deepEqual(await confirmCgroup(joined, pid), { kind: "cgroup", path: joined });
    });
    const refused = prepareCgroup("c-refused", "/h", {})!;
    await withShell(refused, "exec sleep 30", async (pid) => {
      assert.deepEqual(await confirmCgroup(refused, pid, 300), { kind: "process-tree" });
    });
  },
});
