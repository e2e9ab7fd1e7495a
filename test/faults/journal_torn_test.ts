/**
 * Invariant 5 with torn lines: a line cut short (a crash, a full disk) must
 * not swallow the event after it. Readers skip the fragment and resync at
 * the next newline; writers never continue a torn line.
 */
import assert from "node:assert/strict";
import { tempDir } from "../temp_dir.ts";
import { appendEvent, journalEnd, readEvents, readEventsFor } from "../../src/store/journal.ts";
import { sandbox, startTask, waitForState } from "../helpers.ts";

const FRAGMENTS = {
  "half a line": '{"ts":2,"type":"progress","task":"a-0000","te',
  "a cut inside a string": '{"ts":2,"type":"question","task":"a-0000","text":"why \\',
  "NUL bytes a crash left": "\0".repeat(700),
  "a cut multi-byte character": new TextDecoder().decode(
    new TextEncoder().encode('{"text":"日').subarray(0, 10),
  ),
};

for (const [what, fragment] of Object.entries(FRAGMENTS)) {
  Deno.test(`journal torn: after ${what}, the next event is read by every reader and cursor`, async () => {
    await using dir = await tempDir();
    const home = dir.path;
    await appendEvent(home, { ts: 1, type: "started", task: "a-0000", session: "s1" });
    await Deno.writeTextFile(`${home}/journal.jsonl`, fragment, { append: true });
    const cursor = await journalEnd(home); // a reader that has read up to the tear
    await appendEvent(home, {
      ts: 3,
      type: "question",
      task: "a-0000",
      session: "s1",
      question: 1,
      text: "Which?",
    });
    await appendEvent(home, { ts: 4, type: "progress", task: "b-0000", session: "s2" });
    assert.deepEqual((await readEvents(home, 0)).entries.map((e) => e.event.ts), [1, 3, 4]);
    assert.deepEqual((await readEvents(home, cursor)).entries.map((e) => e.event.ts), [3, 4]);
    assert.deepEqual(
      (await readEventsFor(home, { session: "s1" }, cursor)).entries.map((e) => e.event.text),
      [
        "Which?",
      ],
    );
    assert.deepEqual((await readEventsFor(home, { type: "question" }, 0)).entries.length, 1);
  });
}

Deno.test("journal torn: a tear inside indexed history hides nothing before or after it", async () => {
  await using dir = await tempDir();
  const home = dir.path;
  let text = "";
  for (let i = 0; i < 3000; i++) {
    text += JSON.stringify({ ts: i, type: "progress", task: "t-0001", session: "s" }) + "\n";
  }
  await Deno.writeTextFile(`${home}/journal.jsonl`, text + '{"ts":-1,"type":"que');
  await appendEvent(home, {
    ts: 3000,
    type: "question",
    task: "t-0001",
    session: "s",
    text: "after the tear",
  });
  let more = "";
  for (let i = 3001; i < 6000; i++) {
    more += JSON.stringify({ ts: i, type: "progress", task: "t-0001", session: "s" }) + "\n";
  }
  await Deno.writeTextFile(`${home}/journal.jsonl`, more, { append: true });
  const all = await readEventsFor(home, { session: "s" }, 0); // > 64 KiB: read through the chunk index
  assert.equal(all.entries.length, 6000);
  assert.deepEqual(all.entries.map((e) => e.event.ts), Array.from({ length: 6000 }, (_, i) => i));
  assert.equal((await readEventsFor(home, { type: "question" }, 0)).entries[0]!.event.text, "after the tear");
});

Deno.test("journal torn: a question asked after a torn line still wakes watch and reaches the host", async () => {
  await using sb = await sandbox();
  const script = `${sb.project}/tear_then_ask.sh`;
  // Stands for another writer that crashed mid-line just before this worker asks.
  await Deno.writeTextFile(
    script,
    `printf '{"ts":1,"type":"progress","task":"x' >>"$DISPATCH_HOME/journal.jsonl"
a=$("$DISPATCH_BIN" ask "Which database should I use?") || exit 1
sed 's/- \\[ \\]/- [x]/' "$DISPATCH_PLAN" >"$DISPATCH_PLAN.new" && mv "$DISPATCH_PLAN.new" "$DISPATCH_PLAN"
echo "used $a" >"$DISPATCH_OUTPUT"
`,
  );
  const config = await Deno.readTextFile(`${sb.home}/config.yaml`);
  await Deno.writeTextFile(
    `${sb.home}/config.yaml`,
    config.replace("backends:\n", `backends:\n  tear:\n    command: "sh ${script}"\n    model_flag: ""\n`)
      .replace("models:\n", "models:\n  tear: { backend: tear }\n"),
  );
  const id = await startTask(sb, "tear", ["--session", "w"]);
  const woke = await sb.run(["watch", "--session", "w", "--timeout", "20s"]);
  assert.equal(woke.code, 0, woke.stderr);
  assert.match(woke.stdout, new RegExp(`${id} asked a question`));
  const answered = await sb.run(["answer", id, "PostgreSQL"]);
  assert.equal(answered.code, 0, answered.stderr);
  assert.equal((await waitForState(sb, id, ["done", "failed"])).state, "done");
  const types = (await readEvents(sb.home, 0)).entries.filter((e) => e.event.task === id).map((e) =>
    e.event.type
  );
  assert.deepEqual(types.filter((t) => t !== "progress"), ["started", "question", "answered", "done"]);
});
