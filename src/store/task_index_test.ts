import assert from "node:assert/strict";
import { boardTaskIds, noteEnded, projectTaskIds, RECENT_MS } from "./task_index.ts";
import { appendEvent } from "./journal.ts";
import { tempDir } from "../../test/temp_dir.ts";

const NOW = 1_000 * RECENT_MS;
const HOUR = 60 * 60 * 1000;

/** A task on disk as the runtime leaves it; `endedAgo` undefined means still running. */
async function task(home: string, id: string, opts: { project?: string; endedAgo?: number } = {}) {
  const dir = `${home}/tasks/${id}`;
  await Deno.mkdir(dir, { recursive: true });
  const created = NOW - (opts.endedAgo ?? 0) - HOUR;
  await Deno.writeTextFile(
    `${dir}/task.json`,
    JSON.stringify({ id, title: id, project: opts.project ?? "/p", cwd: "/p", created }),
  );
  const state = opts.endedAgo === undefined
    ? { state: "running" }
    : { state: "done", ended: NOW - opts.endedAgo };
  await Deno.writeTextFile(`${dir}/state.json`, JSON.stringify(state));
}

Deno.test("boardTaskIds(): this project's unfinished tasks, those ended in the last day, and at least the last 10", async () => {
  await using dir = await tempDir();
  const home = dir.path;
  await task(home, "run-0000");
  await task(home, "other-0000", { project: "/q" });
  for (let i = 0; i < 30; i++) {
    await task(home, `old-${String(i).padStart(4, "0")}`, { endedAgo: (i + 2) * 24 * HOUR });
  }
  await task(home, "new-0000", { endedAgo: HOUR });
  const board = await boardTaskIds(home, "/p", NOW);
  const expected = [
    "run-0000",
    "new-0000",
    ...Array.from({ length: 9 }, (_, i) => `old-${String(i).padStart(4, "0")}`),
  ];
  assert.deepEqual(board.ids, expected);
  assert.deepEqual([...board.unfinished], ["run-0000"]);
  assert.equal(board.older, 21);
  // A day with only recent work shows it all.
  for (let i = 0; i < 15; i++) {
    await task(home, `today-${String(i).padStart(4, "0")}`, { endedAgo: i * 1000 });
  }
  assert.equal((await projectTaskIds(home, "/p")).length, 1 + 30 + 1 + 15);
  assert.deepEqual(await projectTaskIds(home, "/q"), ["other-0000"]);
  const busy = await boardTaskIds(home, "/p", NOW);
  assert.equal(busy.ids.length, 1 + 1 + 15);
  assert.equal(busy.older, 30);
});

Deno.test("boardTaskIds() follows the tasks folder, noteEnded() and resumed events", async () => {
  await using dir = await tempDir();
  const home = dir.path;
  await task(home, "a-0000", { endedAgo: 90 * 24 * HOUR });
  for (let i = 0; i < 10; i++) await task(home, `b-000${i}`, { endedAgo: 2 * HOUR });
  await task(home, "c-0000");
  assert.ok(!(await boardTaskIds(home, "/p", NOW)).ids.includes("a-0000"));
  // It is resumed: the journal says so, and the board shows it again.
  await appendEvent(home, { ts: NOW, type: "resumed", task: "a-0000", project: "/p" });
  assert.ok((await boardTaskIds(home, "/p", NOW)).ids.includes("a-0000"));
  // The board found it (and c) ended: once old, they leave the board.
  await noteEnded(home, "/p", new Map([["a-0000", NOW - 80 * 24 * HOUR], ["c-0000", NOW - 70 * 24 * HOUR]]));
  const later = await boardTaskIds(home, "/p", NOW);
  assert.ok(!later.ids.includes("a-0000") && !later.ids.includes("c-0000"));
  assert.equal(later.older, 2);
  // Removed and added behind the index's back.
  await Deno.remove(`${home}/tasks/b-0000`, { recursive: true });
  await task(home, "d-0000");
  const now = await boardTaskIds(home, "/p", NOW);
  assert.ok(!now.ids.includes("b-0000") && now.ids.includes("d-0000"));
  // A damaged index is rebuilt from the tasks themselves (where c still says running, and a is among the last 10 ended).
  await Deno.writeTextFile(`${home}/index/tasks.json`, "{damaged");
  const rebuilt = await boardTaskIds(home, "/p", NOW);
  assert.deepEqual(rebuilt.ids.sort(), ["a-0000", ...now.ids].sort());
  assert.deepEqual([...rebuilt.unfinished].sort(), ["c-0000", "d-0000"]);
});
