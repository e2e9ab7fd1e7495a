import assert from "node:assert/strict";
import { parseCodexModels } from "./profile.ts";
import { CODEX_MODELS_JSON as CODEX_JSON } from "./sample_models.ts";

Deno.test("parseCodexModels: visible models in codex's priority order, after a warning line", () => {
  assert.deepEqual(
    parseCodexModels(`WARNING: proceeding, even though we could not create PATH aliases\n${CODEX_JSON}`),
    ["gpt-6.1-sol", "gpt-6-astra", "gpt-5.5"],
  );
  assert.deepEqual(parseCodexModels("no json here"), []);
  assert.throws(() => parseCodexModels("{ broken"));
});
