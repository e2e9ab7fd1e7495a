import assert from "node:assert/strict";
import { commandExecutable } from "./executable.ts";

Deno.test("commandExecutable: the program a shell string runs, past env and assignments", () => {
  assert.equal(commandExecutable("env -u CLAUDE_CODE_ENTRYPOINT -u CLAUDECODE claude -p"), "claude");
  assert.equal(commandExecutable("FOO=1 BAR=2 exec /opt/bin/codex exec --json"), "/opt/bin/codex");
  assert.equal(commandExecutable('env -i HOME="$HOME" nice -n 5 agent -p'), "agent");
  assert.equal(commandExecutable("$(which claude) -p"), undefined);
  assert.equal(commandExecutable(""), undefined);
});
