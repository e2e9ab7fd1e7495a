import assert from "node:assert/strict";
import { tempDir } from "../../test/temp_dir.ts";
import { addActive, idleMarkerPath, readSession, sessionGone, updateSession } from "./sessions.ts";

Deno.test("the idle marker exists only while a session has no running task", async () => {
  await using dir = await tempDir();
  await updateSession(dir.path, "s1", (r) => ({ ...r, hook: 42 }));
  assert.equal(await Deno.readTextFile(idleMarkerPath(dir.path, "s1")), "42\n");
  await addActive(dir.path, "s1", "t-1");
  assert.deepEqual((await readSession(dir.path, "s1")).active, ["t-1"]);
  await assert.rejects(Deno.stat(idleMarkerPath(dir.path, "s1")), Deno.errors.NotFound);
});

Deno.test("sessionGone: ended or dead is gone, unknown or alive is not", () => {
  assert.equal(sessionGone({ ended: 1 }), true);
  assert.equal(sessionGone({}), false);
  assert.equal(sessionGone({ pid: Deno.pid }), false);
  assert.equal(sessionGone({ pid: 2 ** 22 + 12345 }), true);
});
