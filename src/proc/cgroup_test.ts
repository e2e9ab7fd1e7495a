import assert from "node:assert/strict";
import {
  cgroup2Mount,
  cgroupName,
  createTaskCgroup,
  isEmpty,
  isTaskCgroup,
  killAll,
  ownCgroup,
  pidsIn,
  removeCgroup,
} from "./cgroup.ts";
import { isAlive } from "./procfs.ts";
import { escapeeIn, writableCgroupParent } from "../../test/cgroup_helpers.ts";

const HYBRID = [
  "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
  "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
  "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
].join("\n");
const PURE_V2 =
  "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate";

Deno.test("cgroup2Mount: finds the unified hierarchy on hybrid and pure-v2 machines, none on v1 only", () => {
  assert.equal(cgroup2Mount(HYBRID), "/sys/fs/cgroup/unified");
  assert.equal(cgroup2Mount(PURE_V2), "/sys/fs/cgroup");
  assert.equal(cgroup2Mount(HYBRID.split("\n").slice(0, 2).join("\n")), undefined);
  assert.equal(cgroup2Mount("41 31 0:38 / /mnt/c\\040g rw - cgroup2 cgroup2 rw"), "/mnt/c g");
});

Deno.test("ownCgroup: reads the v2 line of /proc/<pid>/cgroup", () => {
  assert.equal(ownCgroup("9:name=systemd:/\n4:memory:/x\n0::/\n"), "/");
  assert.equal(
    ownCgroup("0::/user.slice/user-1000.slice/session-2.scope\n"),
    "/user.slice/user-1000.slice/session-2.scope",
  );
  assert.equal(ownCgroup("4:memory:/x\n"), undefined);
});

Deno.test("isTaskCgroup: only <cgroup2 mount>/.../dispatch/<task> passes, so a forged path kills nothing else", () => {
  const m = "/sys/fs/cgroup";
  assert.ok(isTaskCgroup(`${m}/dispatch/t-1`, "t-1", m));
  assert.ok(isTaskCgroup(`${m}/user.slice/app.scope/dispatch/t-1`, "t-1", m));
  for (
    const bad of [
      m,
      `${m}/system.slice`,
      `${m}/dispatch/other`,
      `${m}/dispatch/t-1/..`,
      `${m}/system.slice/../dispatch/t-1`,
      `/etc/dispatch/t-1`,
      `${m}dispatch/t-1`,
    ]
  ) assert.equal(isTaskCgroup(bad, "t-1", m), false, bad);
  assert.equal(isTaskCgroup(`${m}/dispatch/..`, "..", m), false);
  assert.equal(isTaskCgroup(`${m}/dispatch/t-1`, "t-1", undefined), false);
});

Deno.test("cgroupName: the task id and a hash of its home, so two homes' t-0001 never share a cgroup", () => {
  assert.match(cgroupName("t-0001", "/home/a/.dispatch"), /^t-0001-[0-9a-f]{8}$/);
  assert.notEqual(cgroupName("t-0001", "/home/a/.dispatch"), cgroupName("t-0001", "/home/b/.dispatch"));
  assert.equal(cgroupName("t-0001", "/h"), cgroupName("t-0001", "/h"));
});

const PARENT = writableCgroupParent();
if (PARENT === undefined) {
  console.log("cgroup_test: no writable cgroup v2 here; the real-cgroup tests are skipped");
}

for (const useKillFile of [true, false]) {
  Deno.test({
    name: `killAll (${
      useKillFile ? "cgroup.kill" : "per-pid fallback"
    }): a setsid env -i sleeper dies, then the cgroup goes`,
    ignore: PARENT === undefined,
    async fn() {
      const dir = createTaskCgroup(PARENT!, `unit-${Deno.pid}-${useKillFile}`);
      const pidFile = await Deno.makeTempFile();
      try {
        const pid = await escapeeIn(dir, pidFile);
        assert.equal(isEmpty(dir), false);
        for (let i = 0; i < 200 && !isEmpty(dir); i++) {
          assert.ok(killAll(dir, { useKillFile }));
          await new Promise((r) => setTimeout(r, 25));
        }
        assert.equal(isAlive(pid), false);
        assert.ok(removeCgroup(dir));
        assert.equal(await Deno.stat(dir).then(() => true, () => false), false);
      } finally {
        killAll(dir);
        removeCgroup(dir);
        await Deno.remove(pidFile);
      }
    },
  });
}

Deno.test({
  name: "removeCgroup: refuses while a process holds the cgroup, and removes child cgroups a worker made",
  ignore: PARENT === undefined,
  async fn() {
    const dir = createTaskCgroup(PARENT!, `unit-busy-${Deno.pid}`);
    const pidFile = await Deno.makeTempFile();
    try {
      await Deno.mkdir(`${dir}/made-by-worker`);
      const pid = await escapeeIn(`${dir}/made-by-worker`, pidFile);
      assert.deepEqual(pidsIn(dir), [pid]);
      assert.equal(removeCgroup(dir), false);
      killAll(dir);
      for (let i = 0; i < 200 && !isEmpty(dir); i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(removeCgroup(dir));
    } finally {
      killAll(dir);
      removeCgroup(dir);
      await Deno.remove(pidFile);
    }
  },
});
