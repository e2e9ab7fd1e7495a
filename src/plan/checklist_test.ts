import assert from "node:assert/strict";
import { parseChecklist, progressBar, progressOf, validatePlan } from "./checklist.ts";
import { InputError } from "../errors.ts";

Deno.test("parseChecklist() reads every mark and bullet style", () => {
  const plan = "# T\n- [ ] a\n* [x] b\n+ [X] c\n1. [?] d\n  - [!] e — broke\ntext - [ ] not at start\n";
  assert.deepEqual(parseChecklist(plan).map((i) => [i.mark, i.text]), [
    ["todo", "a"],
    ["done", "b"],
    ["done", "c"],
    ["question", "d"],
    ["error", "e — broke"],
  ]);
});

Deno.test("progressOf() counts done items, errors and the next item", () => {
  const p = progressOf("- [x] a\n- [!] b bad\n- [ ] c\n");
  assert.deepEqual(p, { done: 1, total: 3, errors: ["b bad"], next: "b bad" });
  assert.deepEqual(progressOf("no items"), { done: 0, total: 0, errors: [], next: undefined });
});

Deno.test("validatePlan() rejects empty, itemless, huge and NUL plans; keeps unicode", () => {
  assert.throws(() => validatePlan(""), InputError);
  assert.throws(() => validatePlan("prose only"), /no checklist items/);
  assert.throws(() => validatePlan("- [ ] a\n" + "é".repeat(40_000)), /Plan too large: 80008 bytes/);
  assert.throws(() => validatePlan("- [ ] a\u0000"), /NUL/);
  assert.equal(validatePlan("- [ ] 日本 🚀"), "- [ ] 日本 🚀\n");
});

Deno.test("progressBar() fills proportionally", () => {
  assert.equal(progressBar(0, 4, 4), "░░░░");
  assert.equal(progressBar(2, 4, 4), "██░░");
  assert.equal(progressBar(4, 4, 4), "████");
  assert.equal(progressBar(0, 0, 3), "···");
});
