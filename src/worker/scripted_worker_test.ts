import assert from "node:assert/strict";
import { DEMO_SCENARIO, markNext, parseScenario } from "./scripted_worker.ts";

Deno.test("parseScenario() reads steps and rejects unknown ones", () => {
  assert.deepEqual(parseScenario("# c\n\nsay hi there\ntick all\n"), [
    { op: "say", arg: "hi there" },
    { op: "tick", arg: "all" },
  ]);
  assert.throws(() => parseScenario("dance"), /Unknown scenario step: 'dance'/);
  assert.ok(parseScenario(DEMO_SCENARIO).some((s) => s.op === "ask"));
});

Deno.test("markNext() ticks the next open items and marks failures with a reason", () => {
  const plan = "- [x] a\n- [ ] b\n- [?] c\n- [ ] d\n";
  assert.equal(markNext(plan, 2, "x"), "- [x] a\n- [x] b\n- [x] c\n- [ ] d\n");
  assert.equal(markNext(plan, 1, "!", "no db"), "- [x] a\n- [!] b — no db\n- [?] c\n- [ ] d\n");
  assert.equal(markNext(plan, Infinity, "x"), "- [x] a\n- [x] b\n- [x] c\n- [x] d\n");
});
