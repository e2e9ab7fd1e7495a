import assert from "node:assert/strict";
import { scanMentions, type Vocabulary } from "./mentions.ts";

const VOCAB: Vocabulary = {
  models: ["opus", "sonnet", "haiku", "gpt-5.5", "opencode/big-pickle"],
  aliases: ["security-reviewer", "quick"],
  backends: ["claude", "codex", "cursor"],
  known: ["fable"],
};

Deno.test("scanMentions: offsets, kinds and the reason each counts", () => {
  const text = "Have opus review, then security-reviewer audit with gpt-5.5 and use o3.";
  const found = scanMentions(text, VOCAB);
  assert.deepEqual(found.map((m) => [m.text, m.kind, m.why]), [
    ["opus", "model", "after 'have'"],
    ["security-reviewer", "alias", "a configured name"],
    ["gpt-5.5", "model", "model-shaped"],
    ["o3", "unknown", "model-shaped"],
  ]);
  for (const m of found) assert.equal(text.slice(m.index, m.index + m.text.length), m.text);
});

Deno.test("scanMentions: names inside paths, files and calls are not mentions", () => {
  for (
    const text of ["edit src/gpt-5.5/main.ts", "open ./gpt-5.5", "call gpt-5.5() there", "see docs/opus.md"]
  ) {
    assert.deepEqual(scanMentions(text, VOCAB), [], text);
  }
});

Deno.test("scanMentions: negation marks the mention, whatever kind", () => {
  const found = scanMentions("don't use gpt-5.5; rather than haiku, use sonnet", VOCAB);
  assert.deepEqual(found.map((m) => [m.text, m.negated]), [["gpt-5.5", true], ["haiku", true], [
    "sonnet",
    false,
  ]]);
});

Deno.test("scanMentions: a name known only to discovery needs the same context as a configured one", () => {
  assert.deepEqual(scanMentions("use fable for the story", VOCAB).map((m) => m.kind), ["unknown"]);
  assert.deepEqual(scanMentions("tell me a fable", VOCAB), []);
});
