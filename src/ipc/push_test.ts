import assert from "node:assert/strict";
import { pushFor, pushLine } from "./push.ts";

Deno.test("pushFor: monitor in Claude Code's interactive CLI, watch in -p, the SDK and without the Monitor tool", () => {
  assert.equal(pushFor({ CLAUDE_CODE_ENTRYPOINT: "cli" }), "monitor");
  assert.equal(pushFor({ CLAUDE_CODE_ENTRYPOINT: "sdk-cli" }), "watch");
  assert.equal(pushFor({}), "watch", "not Claude Code, or unknown: the watch works everywhere");
  assert.equal(pushFor({ CLAUDE_CODE_ENTRYPOINT: "cli", CLAUDE_CODE_USE_BEDROCK: "1" }), "watch");
  assert.equal(pushFor({ CLAUDE_CODE_ENTRYPOINT: "cli", CLAUDE_CODE_USE_VERTEX: "true" }), "watch");
  assert.equal(pushFor({ CLAUDE_CODE_ENTRYPOINT: "cli", CLAUDE_CODE_USE_FOUNDRY: "0" }), "monitor");
  assert.equal(pushFor({ CLAUDE_CODE_ENTRYPOINT: "cli", DISPATCH_PUSH: "watch" }), "watch");
  assert.equal(pushFor({}, { monitors: [{ pid: Deno.pid }] }), "monitor", "a monitor already streams");
  assert.equal(pushFor({}, { monitors: [{ pid: 2 ** 22 + 9 }] }), "watch", "a dead one does not count");
  assert.equal(pushLine("monitor"), "dispatch push: monitor");
});
