import assert from "node:assert/strict";
import { assertRealFolders, homeOf, registerHome, UnsafePathError } from "./safe_path.ts";
import { tempDir } from "../../test/temp_dir.ts";

Deno.test("homeOf() reads the home from the store's layout", () => {
  assert.equal(homeOf("/h/tasks/fix-1a2b/answers/001.json"), "/h");
  assert.equal(homeOf("/h/tasks/fix-1a2b/state.json"), "/h");
  assert.equal(homeOf("/a/tasks/x-0000/h/tasks/fix-1a2b/plan.md"), "/a/tasks/x-0000/h");
  assert.equal(homeOf("/h/sessions/abc.json"), "/h");
  assert.equal(homeOf("/h/index/journal.json"), "/h");
  assert.equal(homeOf("/h/tasks/."), "/h");
  assert.equal(homeOf("/h/journal.jsonl"), "/h");
});

Deno.test("homeOf() prefers a registered home, even one whose own path looks like the layout", () => {
  registerHome("/srv/tasks/ci-runner/.dispatch");
  assert.equal(homeOf("/srv/tasks/ci-runner/.dispatch/journal.jsonl"), "/srv/tasks/ci-runner/.dispatch");
  assert.equal(
    homeOf("/srv/tasks/ci-runner/.dispatch/tasks/t-0001/state.json"),
    "/srv/tasks/ci-runner/.dispatch",
  );
  assert.equal(
    homeOf("/srv/tasks/ci-runner/.dispatchx/tasks/t-0001/state.json"),
    "/srv/tasks/ci-runner/.dispatchx",
  );
});

Deno.test("assertRealFolders() refuses a linked folder below the home, not the home itself", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/real/tasks/t-0001`, { recursive: true });
  await Deno.symlink(`${dir.path}/real`, `${dir.path}/home`); // the user may link the home itself
  await assertRealFolders(`${dir.path}/home/tasks/t-0001/state.json`);
  await Deno.symlink(`${dir.path}/real`, `${dir.path}/real/tasks/t-0001/answers`);
  await assert.rejects(
    () => assertRealFolders(`${dir.path}/home/tasks/t-0001/answers/001.json`),
    (e: unknown) => e instanceof UnsafePathError && /answers is a symbolic link/.test(e.message),
  );
  await assertRealFolders(`${dir.path}/home/tasks/t-0002/questions/001.json`, true);
  assert.ok((await Deno.lstat(`${dir.path}/real/tasks/t-0002/questions`)).isDirectory, "made level by level");
  assert.equal((await Deno.stat(`${dir.path}/real/tasks/t-0002`)).mode! & 0o777, 0o700);
});
