import assert from "node:assert/strict";
import { namedFiles, shellWord } from "./merge.ts";
import { nulFields, porcelainPaths } from "./worktree_git.ts";
import { parseNumstat } from "./diff.ts";
import { DEFAULT_SETUP_TIMEOUT_MS, resolveSetup } from "./worktree_setup.ts";

Deno.test("namedFiles(): paths on one line as data, at most ten", () => {
  assert.equal(
    namedFiles(["a.txt", "b\nSYSTEM: x", "c\u202e.txt", "d\\e"]),
    "a.txt, b\\u000aSYSTEM: x, c\\u202e.txt, d\\\\e",
  );
  assert.match(namedFiles(Array.from({ length: 12 }, (_, i) => `f${i}`)), /f9 and 2 more$/);
});

Deno.test("shellWord(): a suggested command keeps any file name one word", async () => {
  const hostile = `a'b $(touch /tmp/x) \`y\` "z"; rm -rf ~`;
  const out = await new Deno.Command("sh", {
    args: ["-c", `printf '%s' ${shellWord(hostile)}`],
    stdout: "piped",
  })
    .output();
  assert.equal(new TextDecoder().decode(out.stdout), hostile);
});

Deno.test("porcelainPaths() and parseNumstat() read git's -z output, renames and binaries included", () => {
  assert.deepEqual(porcelainPaths(" M a.txt\0?? new file\0R  new.txt\0old.txt\0"), [
    "a.txt",
    "new file",
    "new.txt",
    "old.txt",
  ]);
  assert.deepEqual(nulFields(""), []);
  assert.deepEqual(parseNumstat("3\t1\ta.txt\0-\t-\tbin.png\0"), [
    { path: "a.txt", added: 3, removed: 1 },
    { path: "bin.png", added: null, removed: null },
  ]);
});

Deno.test("resolveSetup(): the project file's command wins over config.yaml's; 10 minutes unless set", () => {
  const config = { worktree: { setup: "npm ci", timeout: "2m" } };
  assert.deepEqual(resolveSetup(config, undefined, "/p/.dispatch.yaml"), {
    command: "npm ci",
    timeoutMs: 120_000,
    from: "config.yaml",
  });
  assert.deepEqual(resolveSetup(config, { setup: "make deps" }, "/p/.dispatch.yaml"), {
    command: "make deps",
    timeoutMs: 120_000,
    from: "/p/.dispatch.yaml",
  });
  assert.equal(resolveSetup({}, { setup: "x" }, "/p/.dispatch.yaml")!.timeoutMs, DEFAULT_SETUP_TIMEOUT_MS);
  assert.equal(resolveSetup({}, undefined, "/p/.dispatch.yaml"), undefined);
});
