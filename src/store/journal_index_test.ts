import assert from "node:assert/strict";
import {
  addChunk,
  CHUNK_BYTES,
  chunksFor,
  emptyIndex,
  indexFor,
  keysOf,
  keysOfEvent,
} from "./journal_index.ts";
import { tempDir } from "../../test/temp_dir.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("keysOf() finds each line's session, task and type, and is not fooled by text that looks like them", () => {
  const lines = [
    {
      ts: 1,
      type: "question",
      task: "a-0000",
      session: "s1",
      text: 'say "task":"evil-0000" and \\"session\\":"x"',
    },
    { ts: 2, type: "done", task: "b-0000", session: 'odd"id\\' },
  ].map((e) => JSON.stringify(e) + "\n").join("");
  assert.deepEqual(
    [...keysOf(bytes(lines))].sort(),
    ["*", 's:odd"id\\', "s:s1", "t:a-0000", "t:b-0000", "y:done", "y:question"],
  );
  assert.deepEqual([...keysOf(bytes("\0\0\0\n"))], [], "a hole holds nothing");
  assert.deepEqual(keysOfEvent({ type: "done", task: "b-0000" }), ["*", "t:b-0000", "y:done"]);
});

Deno.test("chunksFor() lists a key's chunks past a cursor, from merged ranges", () => {
  const index = emptyIndex(1);
  addChunk(index, [0, 10], ["*", "s:a"]);
  addChunk(index, [10, 20], ["*", "s:a", "s:b"]);
  addChunk(index, [30, 40], ["*", "s:b"]);
  addChunk(index, [40, 50], ["*", "s:a"]);
  assert.deepEqual(index.keys["s:a"], [[0, 2], [3, 4]]);
  assert.deepEqual(chunksFor(index, "s:a", 0), [[0, 10], [10, 20], [40, 50]]);
  assert.deepEqual(chunksFor(index, "s:a", 15), [[10, 20], [40, 50]]);
  assert.deepEqual(chunksFor(index, "s:c", 0), []);
  assert.equal(index.upTo, 50);
});

Deno.test("indexFor() cuts line-aligned chunks, takes in a line longer than its read block, and leaves a torn tail", async () => {
  await using dir = await tempDir();
  const home = dir.path;
  const path = `${home}/journal.jsonl`;
  const short = JSON.stringify({ ts: 1, type: "progress", task: "a-0000", session: "s1" }) + "\n";
  const long = JSON.stringify({ ts: 2, type: "noted", task: "b-0000", text: "x".repeat(20 * CHUNK_BYTES) }) +
    "\n";
  await Deno.writeTextFile(path, short.repeat(2000) + long + short.repeat(2000) + '{"ts":3,"ty');
  using file = await Deno.open(path, { read: true });
  const info = await file.stat();
  const index = (await indexFor(home, file, info))!;
  const text = await Deno.readTextFile(path);
  for (const [start, end] of index.chunks) {
    assert.ok(end - start >= CHUNK_BYTES);
    assert.equal(text[end - 1], "\n");
  }
  assert.equal(index.chunks[0]![0], 0);
  assert.ok(index.upTo > text.indexOf(long) + long.length - 1, "the long line is indexed");
  assert.ok(info.size - index.upTo < CHUNK_BYTES + 100, "what is left is less than a chunk");
  assert.deepEqual(chunksFor(index, "t:b-0000", 0).length, 1);
  // Saved, and read back unchanged while the journal is.
  assert.deepEqual(await indexFor(home, file, info), index);
});
