import assert from "node:assert/strict";
import { configDurationMs, formatDuration, parseDuration, parsePositiveDuration } from "./duration.ts";
import { InputError } from "./errors.ts";

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

Deno.test("parseDuration() refuses what is no duration or too long to count", () => {
  assert.throws(() => parseDuration("", "--timeout"), /Invalid --timeout: '' \(use e\.g\./);
  assert.throws(() => parseDuration("9".repeat(400), "--timeout"), /Invalid --timeout/);
  assert.throws(() => parseDuration("300000000000d"), /Invalid duration/);
  assert.equal(parseDuration("0"), 0, "zero stays a duration where it means something (gc --older-than 0)");
});

Deno.test("parsePositiveDuration() refuses zero and empty, which would silently mean none", () => {
  for (const text of ["0", "0s", "0m0s", "0.0001", "", " ", "-5", "abc", "0.1ms"]) {
    assert.throws(
      () => parsePositiveDuration(text, "--timeout"),
      (e) =>
        e instanceof InputError &&
        e.message.startsWith(`Invalid --timeout: '${text}' (use a duration more than zero`) &&
        !e.message.includes("\n"),
      text,
    );
  }
  assert.equal(parsePositiveDuration("1ms"), 1);
  assert.equal(parsePositiveDuration("1h30m"), 5_400_000);
});

Deno.test("configDurationMs() takes strings like the flags and numbers as seconds, more than zero only", () => {
  assert.equal(configDurationMs("30m"), 1_800_000);
  assert.equal(configDurationMs(90), 90_000);
  assert.equal(configDurationMs(1.5), 1500);
  for (const bad of ["abc", "", "0", 0, -5, 1e-9, Infinity, NaN, 1e300, true, null, [], {}]) {
    assert.equal(configDurationMs(bad), undefined, String(bad));
  }
  // every value accepted reads the same through parseDuration(String(v)), as the supervisor reads it
  for (const good of [1e-3, 0.5, 7, 123456789, "2h", " 5s "]) {
    assert.equal(parseDuration(String(good)), configDurationMs(good), String(good));
  }
});
