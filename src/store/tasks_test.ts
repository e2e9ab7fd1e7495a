import assert from "node:assert/strict";
import { tempDir } from "../../test/temp_dir.ts";
import { ensureDir, writeJsonAtomic } from "./fsx.ts";
import { taskPaths } from "./paths.ts";
import { listTaskIds, readSpec, readState, trySpec, unfinished, updateState } from "./tasks.ts";

Deno.test("readState defaults to starting; updateState writes only what fn returns", async () => {
  await using dir = await tempDir();
  await ensureDir(taskPaths(dir.path, "t-1").dir);
  assert.deepEqual(readState(dir.path, "t-1"), { state: "starting" });
  await updateState(dir.path, "t-1", (s) => ({ ...s, state: "running", pid: 7 }));
  assert.deepEqual(await updateState(dir.path, "t-1", () => undefined), { state: "running", pid: 7 });
  assert.deepEqual(readState(dir.path, "t-1"), { state: "running", pid: 7 });
});

Deno.test("updateState serialises concurrent read-modify-writes", async () => {
  await using dir = await tempDir();
  await ensureDir(taskPaths(dir.path, "t-2").dir);
  await Promise.all(
    Array.from(
      { length: 20 },
      () => updateState(dir.path, "t-2", (s) => ({ ...s, runs: (s.runs ?? 0) + 1 })),
    ),
  );
  assert.equal(readState(dir.path, "t-2").runs, 20);
});

Deno.test("listTaskIds, trySpec and unfinished read the registry", async () => {
  await using dir = await tempDir();
  assert.deepEqual(await listTaskIds(dir.path), [], "no tasks folder yet");
  for (const [id, state] of [["a-1", "done"], ["b-2", "running"]] as const) {
    await ensureDir(taskPaths(dir.path, id).dir);
    await writeJsonAtomic(taskPaths(dir.path, id).state, { state });
  }
  assert.deepEqual(await listTaskIds(dir.path), ["a-1", "b-2"]);
  assert.deepEqual(unfinished(dir.path, ["a-1", "b-2"]), ["b-2"]);
  assert.equal(trySpec(dir.path, "a-1"), undefined);
  assert.throws(() => readSpec(dir.path, "a-1"), /No such task: a-1/);
});
