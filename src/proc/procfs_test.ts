import assert from "node:assert/strict";
import { isAlive, isSignallablePid, parseStat } from "./procfs.ts";

Deno.test("parseStat() survives spaces and parentheses in the command name", () => {
  const line = "4242 (my (weird) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
  assert.deepEqual(parseStat(line), {
    pid: 4242,
    state: "S",
    ppid: 1,
    pgrp: 4242,
    session: 4242,
    startTime: "987654",
  });
  assert.equal(parseStat("garbage"), undefined);
});

Deno.test("isSignallablePid() refuses 0, 1, negatives and NaN (kill(0) would hit our own group)", () => {
  for (const bad of [0, 1, -5, NaN, 1.5, "12", undefined]) {
    assert.equal(isSignallablePid(bad), false, String(bad));
  }
  assert.equal(isSignallablePid(1234), true);
});

Deno.test("isAlive() is true for this process and false for a wrong start time or a dead pid", () => {
  assert.equal(isAlive(Deno.pid), true);
  assert.equal(isAlive(Deno.pid, "not-my-start-time"), false);
  assert.equal(isAlive(2 ** 22 + 7), false);
});
