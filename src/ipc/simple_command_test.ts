import assert from "node:assert/strict";
import { parseSimpleCommand } from "./simple_command.ts";

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
