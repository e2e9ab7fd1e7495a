import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "./duration.ts";

Deno.test("parseDuration() accepts units, combinations and plain seconds", () => {
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("90s"), 90_000);
  assert.equal(parseDuration("30m"), 1_800_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("2"), 2000);
});

Deno.test("parseDuration() names the flag in its error", () => {
  assert.throws(() => parseDuration("soon", "--timeout"), /Invalid --timeout: 'soon' \(use e\.g\. 90s/);
  assert.throws(() => parseDuration("5x"), /Invalid duration/);
  assert.throws(() => parseDuration("m5"), /Invalid duration/);
});

Deno.test("formatDuration() is compact", () => {
  assert.equal(formatDuration(45_000), "45s");
  assert.equal(formatDuration(192_000), "3m12s");
  assert.equal(formatDuration(3_900_000), "1h05m");
  assert.equal(formatDuration(-5), "0s");
});
