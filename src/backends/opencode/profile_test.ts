import assert from "node:assert/strict";
import { parseOpencodeModels } from "./profile.ts";

Deno.test("parseOpencodeModels: provider/model lines, colour codes and noise dropped", () => {
  assert.deepEqual(
    parseOpencodeModels(
      "\x1b[0mopencode/big-pickle\nanthropic/claude-opus-4-5\n\nsome log line: x\nzai/glm-4.6\n",
    ),
    ["opencode/big-pickle", "anthropic/claude-opus-4-5", "zai/glm-4.6"],
  );
});
