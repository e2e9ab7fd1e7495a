import assert from "node:assert/strict";
import { parseCursorModels } from "./profile.ts";

Deno.test("parseCursorModels: the documented `id - Display Name` lines with markers", () => {
  const out = [
    "Available models",
    "",
    "auto - Auto",
    "composer-2 - Composer 2 (current)",
    "sonnet-4.6 - Claude 4.6 Sonnet (default)",
    "gpt-5.3-codex - GPT-5.3 Codex",
    "Tip: use --model <id> to switch.",
  ].join("\n");
  assert.deepEqual(parseCursorModels(out), ["auto", "composer-2", "sonnet-4.6", "gpt-5.3-codex"]);
});
