import assert from "node:assert/strict";
import { appendEvent, type JournalEvent, readEvents, readEventsFor } from "./journal.ts";
import { compactJournal } from "./journal_compact.ts";
import { tempDir } from "../../test/temp_dir.ts";

/** Events for tasks gone-0000..gone-0009 (sessions s0, s1) and live-0000, `rounds` times over. */
async function history(home: string, rounds: number): Promise<void> {
  let text = "";
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < 10; i++) {
      const e: JournalEvent = { ts: r * 100 + i, type: "progress", task: `gone-${i}`, session: `s${i % 2}` };
      text += JSON.stringify(e) + "\n";
    }
    text += JSON.stringify({ ts: r * 100 + 50, type: "progress", task: "live-0000", session: "s0" }) + "\n";
    text += JSON.stringify({ ts: r * 100 + 60, type: "done", task: "orphan-0000" }) + "\n";
  }
  await Deno.writeTextFile(`${home}/journal.jsonl`, text, { append: true });
}

async function setCursor(home: string, session: string, hook: number): Promise<void> {
  await Deno.mkdir(`${home}/sessions`, { recursive: true });
  await Deno.writeTextFile(`${home}/sessions/${session}.json`, JSON.stringify({ hook }));
}

Deno.test("compactJournal() drops what gone tasks left that their sessions were told, and moves no cursor", async () => {
  await using dir = await tempDir();
  const home = dir.path;
  await history(home, 2_000); // ~1.7 MB
  const before = await readEvents(home, 0);
  const size = (await Deno.stat(`${home}/journal.jsonl`)).size;
  const s1Cursor = before.entries[10_000]!.end; // s1 was told only the first part
  await setCursor(home, "s0", before.end);
  await setCursor(home, "s1", s1Cursor);
  const result = await compactJournal(home, { keepTasks: new Set(["live-0000"]) });

  const after = await readEvents(home, 0);
  assert.equal((await Deno.stat(`${home}/journal.jsonl`)).size, size, "the size, and so every offset, stays");
  assert.equal(after.end, before.end);
  const expected = before.entries.filter(({ end, event }) =>
    event.task === "live-0000" || (event.session === "s1" && end > s1Cursor)
  );
  assert.deepEqual(after.entries, expected, "kept events keep their offsets");
  assert.equal(result.kept, expected.length);
  assert.equal(result.dropped, before.entries.length - expected.length);
  // Each session's cursor still gets exactly what it had not been told.
  assert.deepEqual(
    (await readEventsFor(home, { session: "s1" }, s1Cursor)).entries,
    before.entries.filter((e) => e.event.session === "s1" && e.end > s1Cursor),
  );
  assert.deepEqual(
    (await readEventsFor(home, { task: "live-0000" }, 0)).entries,
    before.entries.filter((e) => e.event.task === "live-0000"),
  );
  // Appends go on after it, at the old end.
  await appendEvent(home, { ts: 1e9, type: "question", task: "live-0000", session: "s0", text: "next?" });
  const next = await readEventsFor(home, { session: "s0" }, before.end);
  assert.deepEqual(next.entries.map((e) => e.event.text), ["next?"]);
});

Deno.test("compactJournal() keeps every event of a session with no cursor, and loses no concurrent append", async () => {
  await using dir = await tempDir();
  const home = dir.path;
  await history(home, 1_000);
  const before = await readEvents(home, 0);
  const appends = Array.from(
    { length: 50 },
    (_, i) => appendEvent(home, { ts: 2e9 + i, type: "progress", task: `new-${i}`, session: "s9" }),
  );
  await Promise.all([compactJournal(home, { keepTasks: new Set() }), ...appends]);
  const after = await readEvents(home, 0);
  const untold = before.entries.filter((e) => e.event.session !== undefined);
  assert.deepEqual(after.entries.slice(0, untold.length), untold, "no session was told anything: all stay");
  assert.equal(after.entries.filter((e) => e.event.ts >= 2e9).length, 50);
});

Deno.test("compactJournal() on a home with no journal does nothing", async () => {
  await using dir = await tempDir();
  assert.deepEqual(await compactJournal(dir.path, { keepTasks: new Set() }), {
    kept: 0,
    dropped: 0,
    bytesKept: 0,
  });
});

Deno.test("compactJournal() keeps what is appended while it rewrites, torn line included, at the offsets written", async () => {
  await using dir = await tempDir();
  const home = dir.path;
  await history(home, 3_000);
  await Deno.mkdir(`${home}/sessions`);
  await setCursor(home, "s0", (await readEvents(home, 0)).end);
  await setCursor(home, "s1", (await readEvents(home, 0)).end);
  const compaction = compactJournal(home, { keepTasks: new Set() });
  const ends: number[] = [];
  for (let i = 0; i < 30; i++) {
    await appendEvent(home, {
      ts: 3e9 + i,
      type: "question",
      task: "late-0000",
      session: "s0",
      text: `q${i}`,
    });
    ends.push((await Deno.stat(`${home}/journal.jsonl`)).size);
  }
  await Deno.writeTextFile(`${home}/journal.jsonl`, '{"ts":4e9,"type":"do', { append: true });
  await compaction;
  const late = await readEventsFor(home, { session: "s0" }, 0);
  const mine = late.entries.filter((e) => e.event.task === "late-0000");
  assert.deepEqual(mine.map((e) => e.event.text), Array.from({ length: 30 }, (_, i) => `q${i}`));
  // Offsets of lines appended before the swap stay; those after it landed in the new file at the same place.
  assert.deepEqual(mine.map((e) => e.end), ends);
  await Deno.writeTextFile(`${home}/journal.jsonl`, 'ne"}\n', { append: true });
  assert.equal((await readEvents(home, ends.at(-1)!)).entries[0]?.event.ts, 4e9, "the torn line, completed");
});
