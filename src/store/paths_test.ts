import assert from "node:assert/strict";
import { assertSessionId, assertTaskId, taskPaths } from "./paths.ts";

Deno.test("assertTaskId() refuses anything that could leave the tasks folder", () => {
  for (const bad of ["", "..", "a/b", "../x", "A-1", "a b", "-a", "a\u0000", "x".repeat(65)]) {
    assert.throws(() => assertTaskId(bad), /Invalid task id/, bad);
  }
  assert.equal(assertTaskId("fix-auth-3f2a"), "fix-auth-3f2a");
  assert.throws(() => taskPaths("/h", "../../etc"), /Invalid task id/);
});

Deno.test("assertSessionId() accepts UUIDs and refuses path tricks", () => {
  assert.equal(
    assertSessionId("0e628f82-1b2c-4d5e-8f90-123456789abc"),
    "0e628f82-1b2c-4d5e-8f90-123456789abc",
  );
  for (const bad of ["", "..", ".hidden", "a/b", "a b"]) {
    assert.throws(() => assertSessionId(bad), /Invalid session id/);
  }
});
