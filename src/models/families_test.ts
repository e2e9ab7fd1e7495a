import assert from "node:assert/strict";
import { familyOf, groupLabel, isModelShaped, nativeBackend } from "./families.ts";

Deno.test("familyOf: names by shape, provider prefixes first", () => {
  const cases: [string, string | undefined][] = [
    ["opus", "anthropic"],
    ["claude-opus-4-5", "anthropic"],
    ["sonnet-4.6", "anthropic"],
    ["opus-4.5-thinking", "anthropic"],
    ["anthropic/claude-haiku-4-5", "anthropic"],
    ["gpt-5.5", "openai"],
    ["gpt-5.3-codex", "openai"],
    ["o3", "openai"],
    ["o4-mini", "openai"],
    ["codex-mini-latest", "openai"],
    ["openai/gpt-6-astra", "openai"],
    ["gemini-2.5-pro", "google"],
    ["google/gemini-3-pro", "google"],
    ["qwen3-coder-plus", "qwen"],
    ["coder-model", "qwen"],
    ["composer-2", "cursor"],
    ["opencode/big-pickle", undefined],
    ["glm-4.6", undefined],
    ["O2", undefined],
    ["auto", undefined],
  ];
  for (const [name, family] of cases) assert.equal(familyOf(name), family, name);
});

Deno.test("nativeBackend: each family's own CLI", () => {
  assert.deepEqual(
    (["anthropic", "openai", "google", "qwen", "cursor"] as const).map(nativeBackend),
    ["claude", "codex", "gemini", "qwen", "cursor"],
  );
});

Deno.test("isModelShaped: model ids, never plain words", () => {
  for (
    const yes of [
      "gpt-5.5",
      "claude-opus-4",
      "o3",
      "o4-mini",
      "gemini-2.5-pro",
      "sonnet-4.6",
      "qwen3-coder-plus",
    ]
  ) {
    assert.equal(isModelShaped(yes), true, yes);
  }
  for (
    const no of [
      "opus",
      "haiku",
      "sonnet",
      "codex",
      "gemini",
      "gpt",
      "O2",
      "utf-8",
      "x86-64",
      "covid-19",
      "sha-256",
    ]
  ) {
    assert.equal(isModelShaped(no), false, no);
  }
});

Deno.test("groupLabel: family heading, else provider prefix, else the listing CLI", () => {
  assert.equal(groupLabel("opus", "claude"), "Anthropic (Claude)");
  assert.equal(groupLabel("openrouter/deepseek-v3", "opencode"), "openrouter");
  assert.equal(groupLabel("auto", "cursor"), "cursor");
});
