import assert from "node:assert/strict";
import type { Config } from "../config/schema.ts";
import type { Catalog } from "./catalog.ts";
import { backendNameFor, placeModel } from "./place.ts";

const CATALOG: Catalog = {
  version: 1,
  created: 0,
  clis: [
    { backend: "claude", path: "/b/claude", source: "documented", models: ["opus", "sonnet", "haiku"] },
    { backend: "codex", path: "/b/codex", source: "listed", models: ["gpt-5.5"] },
    {
      backend: "cursor",
      path: "/b/agent",
      source: "listed",
      models: ["gpt-5.5", "sonnet-4.6", "composer-2"],
    },
    {
      backend: "opencode",
      path: "/b/opencode",
      source: "listed",
      models: ["anthropic/claude-opus-4-5", "zai/glm-4.6"],
    },
    { backend: "gemini", path: null, source: "none", models: [] },
  ],
};

Deno.test("placeModel: family preference, then the CLI that lists it, else nothing", () => {
  assert.deepEqual(placeModel("gpt-5.5", CATALOG), { cli: "codex", how: "listed" });
  // codex listed its models: an OpenAI name it does not list is not taken on faith
  assert.equal(placeModel("o4-mini", CATALOG), undefined);
  const unlisted: Catalog = {
    ...CATALOG,
    clis: CATALOG.clis.map((c) =>
      c.backend === "codex" ? { ...c, source: "documented" as const, models: [] } : c
    ),
  };
  assert.deepEqual(placeModel("o4-mini", unlisted), { cli: "codex", how: "accepted" });
  assert.deepEqual(placeModel("claude-opus-4-5", CATALOG), { cli: "claude", how: "accepted" });
  // Cursor's spelling of a Claude model is not a claude CLI id: cursor lists it
  assert.deepEqual(placeModel("sonnet-4.6", CATALOG), { cli: "cursor", how: "listed" });
  assert.deepEqual(placeModel("composer-2", CATALOG), { cli: "cursor", how: "listed" });
  assert.deepEqual(placeModel("glm-4.6", CATALOG), {
    cli: "opencode",
    how: "listed",
    modelId: "zai/glm-4.6",
  });
  assert.deepEqual(placeModel("anthropic/claude-opus-4-5", CATALOG), { cli: "opencode", how: "listed" });
  assert.equal(placeModel("gemini-2.5-pro", CATALOG), undefined, "gemini is not installed");
  assert.equal(placeModel("llama-9", CATALOG), undefined);
});

Deno.test("backendNameFor: a backend of that type, else one named after it, else the CLI", () => {
  const config = {
    backends: { "claude-gw": { type: "claude" }, codex: { command: "codex exec" } },
    models: {},
    aliases: {},
  } as unknown as Config;
  assert.equal(backendNameFor("claude", config), "claude-gw");
  assert.equal(backendNameFor("codex", config), "codex");
  assert.equal(backendNameFor("gemini", config), "gemini");
  assert.equal(backendNameFor("gemini", undefined), "gemini");
});
