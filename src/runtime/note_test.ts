import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { readEvents } from "../store/journal.ts";
import { taskPaths } from "../store/paths.ts";
import { addNote } from "./note.ts";

Deno.test("addNote appends under one heading and journals each note", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "note-0001", { plan: "- [ ] a\n" });
  await addNote(ctx, "note-0001", "use the staging db");
  await addNote(ctx, "note-0001", "two\nlines");
  assert.equal(
    await Deno.readTextFile(taskPaths(ctx.home, "note-0001").plan),
    "- [ ] a\n\n## Notes from the user\n- use the staging db\n- two lines\n",
  );
  const events = (await readEvents(ctx.home, 0)).entries.map((e) => [e.event.type, e.event.text]);
  assert.deepEqual(events, [["noted", "use the staging db"], ["noted", "two\nlines"]]);
});
