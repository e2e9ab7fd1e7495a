import assert from "node:assert/strict";
import { appendEvent, readEvents } from "./journal.ts";

Deno.test("readEvents() reads from a cursor and ignores a half-written last line", async () => {
  const home = await Deno.makeTempDir();
  try {
    await appendEvent(home, { ts: 1, type: "started", task: "a-0000" });
    const first = await readEvents(home, 0);
    assert.equal(first.entries.length, 1);
    await appendEvent(home, { ts: 2, type: "question", task: "a-0000", text: "日本?" });
    await Deno.writeTextFile(`${home}/journal.jsonl`, '{"ts":3,"type":"do', { append: true });
    const next = await readEvents(home, first.end);
    assert.deepEqual(next.entries.map((e) => e.event.text), ["日本?"]);
    assert.equal(next.entries[0]!.end, next.end);
    assert.equal((await readEvents(home, next.end)).entries.length, 0);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("readEvents() skips a corrupt line but keeps the ones after it, and filters raw lines", async () => {
  const home = await Deno.makeTempDir();
  try {
    await appendEvent(home, { ts: 1, type: "started", task: "a-0000", session: "s1" });
    await Deno.writeTextFile(`${home}/journal.jsonl`, "garbage\n", { append: true });
    await appendEvent(home, { ts: 2, type: "done", task: "b-0000", session: "s2" });
    const all = await readEvents(home, 0);
    assert.deepEqual(all.entries.map((e) => e.event.task), ["a-0000", "b-0000"]);
    const s2 = await readEvents(home, 0, (line) => line.includes('"session":"s2"'));
    assert.deepEqual(s2.entries.map((e) => e.event.task), ["b-0000"]);
    assert.equal(s2.end, all.end);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("appendEvent() from many writers at once loses and tears no line", async () => {
  const home = await Deno.makeTempDir();
  try {
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        appendEvent(home, {
          ts: i,
          type: "progress",
          task: `t-${String(i).padStart(4, "0")}`,
          text: "x".repeat(i * 10),
        })),
    );
    const { entries } = await readEvents(home, 0);
    assert.equal(entries.length, 200);
    assert.equal(new Set(entries.map((e) => e.event.task)).size, 200);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("readEvents() on a missing journal is empty", async () => {
  assert.deepEqual(await readEvents("/nonexistent-dispatch-home", 0), { entries: [], end: 0 });
});
