import assert from "node:assert/strict";
import { allowedBy, mergeRules, ruleMatches, ruleParts, ruleProblem, rulesProblem } from "./rules.ts";

Deno.test("ruleProblem: exact commands and prefixes ending in ' *' pass", () => {
  for (
    const r of [
      "npm test",
      "git diff *",
      "go test ./...",
      "pytest -x",
      "make test",
      "ls *",
      "cargo test --lib *",
    ]
  ) {
    assert.equal(ruleProblem("allow", r), undefined, r);
  }
});

Deno.test("ruleProblem: NUL, newlines, shell operators, quotes, globs and bare '*' are refused with the fix", () => {
  for (
    const r of [
      "npm test; rm -rf ~",
      "a | b",
      "a && b",
      "echo $HOME",
      "echo `id`",
      "cat < x",
      "ls > y",
      "a\nb",
    ]
  ) {
    assert.ok(ruleProblem("allow", r), JSON.stringify(r));
  }
  for (
    const r of ["a\0b", "", "  ", "*", "* foo", "git *diff", "npm  test", " npm test", "x'y", 'x"y', "a\\b"]
  ) {
    assert.ok(ruleProblem("deny", r), JSON.stringify(r));
  }
  assert.match(ruleProblem("allow", "npm test; rm")!, /has ';' \(a rule is a command such as 'npm test'/);
  assert.match(ruleProblem("allow", "x".repeat(201))!, /over 200 characters/);
  assert.match(ruleProblem("allow", 3)!, /expected a command pattern/);
});

Deno.test("ruleProblem: no allow rule runs dispatch; a deny rule may name it", () => {
  assert.match(ruleProblem("allow", "dispatch cancel *")!, /only 'dispatch ask'/);
  assert.match(ruleProblem("allow", "/opt/d/bin/dispatch answer *")!, /runs dispatch/);
  assert.equal(ruleProblem("deny", "dispatch cancel *"), undefined);
});

Deno.test("rulesProblem: names where, checks lists and their length", () => {
  assert.equal(rulesProblem({ allow: ["npm test"], deny: [] }, "--"), undefined);
  assert.match(rulesProblem({ allow: "npm test" }, "permissions.")!, /^permissions\.allow: expected a list/);
  assert.match(rulesProblem({ deny: ["a;b"] }, "--")!, /^--deny: 'a;b' has ';'/);
  assert.match(rulesProblem({ allow: Array(65).fill("ls") }, "--")!, /more than 64/);
});

Deno.test("ruleMatches and allowedBy: a prefix matches the command with or without arguments; deny wins", () => {
  assert.deepEqual(ruleParts("git diff *"), { command: "git diff", prefix: true });
  assert.ok(ruleMatches("git diff *", "git diff"));
  assert.ok(ruleMatches("git diff *", "git diff HEAD~1"));
  assert.ok(!ruleMatches("git diff *", "git difftool"));
  assert.ok(ruleMatches("npm test", "npm test"));
  assert.ok(!ruleMatches("npm test", "npm test -- --x"));
  const rules = mergeRules({ allow: ["git *"] }, { deny: ["git push *"] });
  assert.ok(allowedBy(rules, "git status"));
  assert.ok(!allowedBy(rules, "git push origin main"));
  assert.ok(!allowedBy(rules, "rm x"));
});

Deno.test("mergeRules: in order, each rule once", () => {
  assert.deepEqual(mergeRules({ allow: ["a", "b"] }, undefined, { allow: ["a"], deny: ["c"] }), {
    allow: ["a", "b"],
    deny: ["c"],
  });
});
