import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { importParsers, parseConfig } from "../backends/config_file.ts";
import { resolveModel } from "./resolve.ts";
import { SECURITY_REVIEWER } from "./resolve_fixtures.ts";

const CONFIG_TEXT = `
default: opus
models:
  opus: { backend: claude }
  gpt-5.5: { backend: codex }
  mini: { backend: codex, model: gpt-5.5-mini }
aliases:
  security-reviewer: { model: opus, prompt: "Find vulnerabilities.", tier: read }
`;

async function config() {
  return parseConfig(CONFIG_TEXT, "test config", await importParsers());
}

Deno.test("resolveModel: a model, an alias with its prompt and tier, the default, and unknown names", async () => {
  const c = await config();
  assert.deepEqual(resolveModel(c, "gpt-5.5"), { model: "gpt-5.5", modelId: "gpt-5.5", backend: "codex" });
  assert.deepEqual(resolveModel(c, "security-reviewer"), SECURITY_REVIEWER);
  assert.equal(resolveModel(c, undefined).model, "opus");
  assert.deepEqual(resolveModel(c, "mini"), { model: "mini", modelId: "gpt-5.5-mini", backend: "codex" });
  assert.throws(
    () => resolveModel(c, "gpt-9"),
    (e) => e instanceof InputError && /gpt-9.*available: opus/.test(e.message),
  );
});
