import assert from "node:assert/strict";
import { launcherFirstOnPath, parseSimpleCommand } from "./approve.ts";
import { tempDir } from "../../test/temp_dir.ts";

Deno.test("parseSimpleCommand: words after quote removal, the way the shell splits them", () => {
  assert.deepEqual(parseSimpleCommand(`dispatch answer t1 --question 1 "it's \\"done\\"" 'a  b'c`), {
    words: ["dispatch", "answer", "t1", "--question", "1", `it's "done"`, "a  bc"],
  });
  assert.deepEqual(parseSimpleCommand("dispatch status\n"), { words: ["dispatch", "status"] });
  assert.deepEqual(parseSimpleCommand("dispatch answer t1 ''"), { words: ["dispatch", "answer", "t1", ""] });
});

Deno.test("parseSimpleCommand: a quoted heredoc's body is taken literally, up to the exact terminator line", () => {
  const body = "- [ ] $(id) `x` ; | > PLAN \n  PLAN\nPLANS";
  assert.deepEqual(parseSimpleCommand(`dispatch start --plan - <<'PLAN'\n${body}\nPLAN\n`), {
    words: ["dispatch", "start", "--plan", "-"],
    stdin: body + "\n",
  });
  assert.deepEqual(parseSimpleCommand('dispatch note t1 << "N"\nN'), {
    words: ["dispatch", "note", "t1"],
    stdin: "",
  });
  assert.equal(parseSimpleCommand("dispatch note t1 <<N\n$(id)\nN"), undefined, "unquoted delimiter");
  assert.equal(parseSimpleCommand("dispatch note t1 <<'N'\nx\nN\n\nid"), undefined, "text after it");
});

Deno.test("launcherFirstOnPath: the first dispatch on PATH decides; none means Claude Code's appended bin/", async () => {
  await using dir = await tempDir("dispatch-path-");
  const ours = `${dir.path}/plugin/bin/dispatch`;
  await Deno.mkdir(`${dir.path}/plugin/bin`, { recursive: true });
  await Deno.writeTextFile(ours, "#!/bin/sh\n");
  await Deno.mkdir(`${dir.path}/other`);
  await Deno.writeTextFile(`${dir.path}/other/dispatch`, "#!/bin/sh\n");
  await Deno.mkdir(`${dir.path}/link`);
  await Deno.symlink(ours, `${dir.path}/link/dispatch`);
  assert.equal(launcherFirstOnPath("/usr/bin:/bin", ours), true);
  assert.equal(launcherFirstOnPath(`${dir.path}/plugin/bin:${dir.path}/other`, ours), true);
  assert.equal(launcherFirstOnPath(`${dir.path}/link:/bin`, ours), true);
  assert.equal(launcherFirstOnPath(`/bin:${dir.path}/other:${dir.path}/plugin/bin`, ours), false);
  assert.equal(launcherFirstOnPath("/bin::/usr/bin", ours), false, "an empty entry is the current directory");
  assert.equal(launcherFirstOnPath("/bin", `${dir.path}/missing`), false);
});
