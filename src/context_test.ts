import assert from "node:assert/strict";
import { FakeClock } from "../test/fake_ctx.ts";
import { tempDir } from "../test/temp_dir.ts";

Deno.test("watchDir() wakes a wait on a matching event, not on others", async () => {
  await using dir = await tempDir();
  const clock = new FakeClock();
  await using watch = clock.watchDir(dir.path, { match: (p) => p.endsWith("/wanted"), pollMs: 60_000 });
  let woke = false;
  const waiting = watch.wait(60_000).then(() => woke = true);
  await clock.settled();
  await Deno.writeTextFile(`${dir.path}/other`, "x");
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(woke, false, "an unmatched file does not wake it");
  await Deno.writeTextFile(`${dir.path}/wanted`, "x");
  await waiting;
  assert.equal(woke, true);
});

Deno.test("watchDir() remembers an event that came between waits", async () => {
  await using dir = await tempDir();
  const clock = new FakeClock();
  await using watch = clock.watchDir(dir.path, { pollMs: 60_000 });
  await Deno.writeTextFile(`${dir.path}/early`, "x");
  await new Promise((r) => setTimeout(r, 50));
  await watch.wait(60_000); // returns at once: the event is pending
  assert.equal(clock.sleeping, 0);
});

Deno.test("watchDir() waits end on the clock's timeout, the poll, or an abort", async () => {
  await using dir = await tempDir();
  const clock = new FakeClock();
  await using watch = clock.watchDir(dir.path, { pollMs: 1000 });
  const t0 = clock.now();
  const polled = watch.wait(60_000);
  await clock.settled();
  clock.advance(999);
  assert.equal(clock.sleeping, 1, "still waiting before the poll interval");
  clock.advance(1);
  await polled;
  assert.equal(clock.now() - t0, 1000);
  const timedOut = watch.wait(10);
  await clock.fireNext();
  await timedOut;
  const abort = new AbortController();
  const aborted = watch.wait(60_000, abort.signal);
  await clock.settled();
  abort.abort();
  await aborted;
  assert.equal(clock.sleeping, 0);
});

Deno.test("systemClock() sleeps for real and stops early on abort", async () => {
  const { systemClock } = await import("./context.ts");
  const clock = systemClock();
  const abort = new AbortController();
  const sleeping = clock.sleep(60_000, abort.signal);
  abort.abort();
  await sleeping;
  await clock.sleep(1);
  assert.ok(clock.now() > 0);
});
