import assert from "node:assert/strict";
import { appendEvent, journalEnd, readEvents, readEventsFor } from "./journal.ts";
import { tempDir } from "../../test/temp_dir.ts";

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

/** Writes `count` events straight into the journal (as an older version left it), cycling 5 sessions and 50 tasks. */
async function writeHistory(home: string, count: number, first = 0): Promise<void> {
  let text = "";
  for (let i = first; i < first + count; i++) {
    const task = `t-${String(i % 50).padStart(4, "0")}`;
    text +=
      JSON.stringify({ ts: i, type: i % 7 === 0 ? "question" : "progress", task, session: `s${i % 5}` }) +
      "\n";
  }
  await Deno.writeTextFile(`${home}/journal.jsonl`, text, { append: true });
}

/** What a full scan with a raw-line filter returns: the reference for the indexed reads. */
async function reference(home: string, from: number, needle: string) {
  return (await readEvents(home, from)).entries.filter((e) => JSON.stringify(e.event).includes(needle));
}

Deno.test("readEventsFor() reads a session's or a task's events from a cursor, as a full scan would", async () => {
  await using dir = await tempDir();
  const home = dir.path;
  await writeHistory(home, 20_000); // ~1.6 MB: many chunks
  const all = await readEvents(home, 0);
  const cursor = all.entries[12_345]!.end;
  for (const from of [0, cursor]) {
    const s3 = await readEventsFor(home, { session: "s3" }, from);
    assert.deepEqual(s3.entries, await reference(home, from, '"session":"s3"'));
    assert.equal(s3.end, all.end);
    const t7 = await readEventsFor(home, { task: "t-0007" }, from);
    assert.deepEqual(t7.entries, await reference(home, from, '"task":"t-0007"'));
  }
  assert.deepEqual((await readEventsFor(home, { session: "nobody" }, 0)).entries, []);
  assert.ok((await Deno.stat(`${home}/index/journal.json`)).isFile, "the first read built the chunk index");
  const questions = await readEventsFor(home, { type: "question" }, 0);
  assert.equal(questions.entries.length, all.entries.filter((e) => e.event.type === "question").length);
});

Deno.test("readEventsFor() on an old home: a cursor into a plain journal gets exactly the events after it", async () => {
  await using dir = await tempDir();
  const home = dir.path;
  await writeHistory(home, 5_000);
  const old = await readEvents(home, 0);
  const cursor = old.entries[4_000]!.end; // where an older version left this session's hook cursor
  await writeHistory(home, 5_000, 5_000);
  const got = await readEventsFor(home, { session: "s1" }, cursor);
  assert.deepEqual(
    got.entries.map((e) => e.event.ts),
    await reference(home, cursor, '"session":"s1"').then((r) => r.map((e) => e.event.ts)),
  );
  assert.ok(got.entries.every((e) => e.event.ts > 4_000));
  // The index now exists; more lines written behind its back are still read.
  await writeHistory(home, 3_000, 10_000);
  await Deno.writeTextFile(`${home}/journal.jsonl`, '{"ts":1e9,"type":"do', { append: true });
  const next = await readEventsFor(home, { session: "s1" }, got.end);
  assert.deepEqual(
    next.entries.map((e) => e.event.ts),
    Array.from({ length: 600 }, (_, i) => 10_001 + i * 5),
  );
});

Deno.test("readEventsFor() ignores an index that no longer matches a rewritten journal", async () => {
  await using dir = await tempDir();
  const home = dir.path;
  await writeHistory(home, 5_000);
  await readEventsFor(home, { session: "s0" }, 0); // builds the index
  await Deno.writeTextFile(`${home}/journal.jsonl`, ""); // same file, new content
  await writeHistory(home, 6_000, 100_000);
  const got = await readEventsFor(home, { task: "t-0003" }, 0);
  assert.deepEqual(got.entries, await reference(home, 0, '"task":"t-0003"'));
  assert.ok(got.entries.every((e) => e.event.ts >= 100_000));
});

Deno.test("journalEnd() is the cursor after the last complete line", async () => {
  await using dir = await tempDir();
  const home = dir.path;
  assert.equal(await journalEnd(home), 0);
  await writeHistory(home, 2_000);
  const { end } = await readEvents(home, 0);
  await Deno.writeTextFile(`${home}/journal.jsonl`, '{"torn', { append: true });
  assert.equal(await journalEnd(home), end);
});
