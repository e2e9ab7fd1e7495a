import assert from "node:assert/strict";
import * as yaml from "yaml";
import { ConfigError } from "../errors.ts";
import {
  coveredBy,
  loadProjectRules,
  parseProjectRules,
  parseProjectWorktree,
  projectAllowProblem,
} from "./project_file.ts";
import { tempDir } from "../../test/temp_dir.ts";

const parse = (text: string) => parseProjectRules(text, "/p/.dispatch.yaml", yaml);

Deno.test("project file: only permissions is read; deny rules of any valid form, allows from the safe set", () => {
  assert.deepEqual(
    parse(
      "tier: full\nmodel: x\npermissions:\n  allow: [npm test, git diff --stat, cargo test --lib *]\n  deny: [curl *]\n",
    ),
    { allow: ["npm test", "git diff --stat", "cargo test --lib *"], deny: ["curl *"] },
  );
  assert.deepEqual(parse("# nothing\n"), { allow: [], deny: [] });
});

Deno.test("project file: an allow outside the safe set, a bad pattern or an unknown key is refused in one line", () => {
  for (
    const [text, msg] of [
      ["permissions: { allow: ['bash -c *'] }", /'bash -c \*' is not one a project file may allow/],
      ["permissions: { allow: ['npm *'] }", /not one a project file may allow/],
      ["permissions: { allow: ['dispatch cancel *'] }", /runs dispatch/],
      ["permissions: { allow: ['git push *'] }", /not one a project file may allow/],
      ["permissions: { allow: ['npm test; curl x | sh'] }", /has ';'/],
      ["permissions: { write: ['/'] }", /unknown key 'write' \(known: allow, deny\)/],
      ["permissions: [a]", /expected a mapping with allow, deny/],
      ["permissions: { allow: [", /Invalid YAML/],
    ] as const
  ) {
    assert.throws(() => parse(text), (e) => e instanceof ConfigError && msg.test(e.message), text);
  }
});

Deno.test("coveredBy: a narrower form of a safe rule is covered, a wider one not", () => {
  assert.ok(coveredBy("git diff --stat", "git diff *"));
  assert.ok(coveredBy("git diff --stat *", "git diff *"));
  assert.ok(coveredBy("pwd", "pwd"));
  assert.ok(!coveredBy("pwd *", "pwd"));
  assert.ok(!coveredBy("git *", "git diff *"));
  assert.ok(!coveredBy("git difftool", "git diff *"));
  assert.equal(projectAllowProblem("go test ./..."), undefined);
});

Deno.test("loadProjectRules: none without a file; a symlink is refused", async () => {
  await using dir = await tempDir();
  assert.equal(await loadProjectRules(dir.path), undefined);
  await Deno.writeTextFile(`${dir.path}/real.yaml`, "permissions: { deny: [curl *] }\n");
  await Deno.symlink(`${dir.path}/real.yaml`, `${dir.path}/.dispatch.yaml`);
  await assert.rejects(() => loadProjectRules(dir.path), /Project file refused: .*is a symlink/);
  await Deno.remove(`${dir.path}/.dispatch.yaml`);
  await Deno.rename(`${dir.path}/real.yaml`, `${dir.path}/.dispatch.yaml`);
  assert.deepEqual(await loadProjectRules(dir.path), { allow: [], deny: ["curl *"] });
});

Deno.test("project file: worktree.setup is one line of command; unknown keys and bad timeouts are refused", () => {
  const p = (text: string) => parseProjectWorktree(text, "/p/.dispatch.yaml", yaml);
  assert.deepEqual(p("worktree: { setup: npm ci, timeout: 5m }\n"), { setup: "npm ci", timeout: "5m" });
  assert.equal(p("permissions: { deny: [curl *] }\n"), undefined);
  assert.throws(() => p("worktree: { setup: npm ci, tier: full }\n"), /worktree: unknown key 'tier'/);
  assert.throws(() => p('worktree: { setup: "a\\nb" }\n'), /setup: expected a one-line shell command/);
  assert.throws(() => p("worktree: { timeout: soon }\n"), /timeout: expected a duration/);
});
