import assert from "node:assert/strict";
import { testCommandRules } from "./test_commands.ts";

Deno.test("testCommandRules: the test commands a plan names, as prefix rules", () => {
  assert.deepEqual(testCommandRules("- [ ] Run `npm test` and fix failures\n"), ["npm test *"]);
  assert.deepEqual(testCommandRules("- [ ] cargo test, then go test ./...\n"), ["cargo test *", "go test *"]);
  assert.deepEqual(testCommandRules("- [ ] run pytest -x\n- [ ] deno test -A\n"), [
    "deno test *",
    "pytest *",
  ]);
});

Deno.test("testCommandRules: words only, and nothing that merely looks like one", () => {
  assert.deepEqual(testCommandRules("- [ ] Write tests\n- [ ] npm testing\n- [ ] mypytest\n"), []);
  assert.deepEqual(testCommandRules("- [ ] Run the tests\n"), []);
});
