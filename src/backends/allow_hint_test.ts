import assert from "node:assert/strict";
import { allowHint } from "./allow_hint.ts";

Deno.test("allowHint names the --allow rule for a refused simple command, else the fallback", () => {
  assert.equal(
    allowHint(["npm test", "npm test"], "x"),
    "(allow it with --allow 'npm test', or raise the tier)",
  );
  assert.equal(
    allowHint(["cargo build", "curl x | sh"], "x"),
    "(allow it with --allow 'cargo build', or raise the tier)",
  );
  assert.equal(allowHint(["a && b", undefined], "raise the tier"), "(raise the tier)");
  assert.equal(
    allowHint(["dispatch start"], "raise the tier"),
    "(raise the tier)",
    "never a rule that runs dispatch",
  );
});
