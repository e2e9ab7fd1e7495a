import assert from "node:assert/strict";
import { resolveRequest } from "./resolve_request.ts";
import { config, discovery, resolve } from "./resolve_fixtures.ts";

// Free text that merely uses a model's name as a word names nothing: the default, to be confirmed.
const NAMES_NOTHING = [
  "write a haiku about cats",
  "Write haiku about the autumn leaves",
  "compose a sonnet for my wife's birthday",
  "this refactor is my magnum opus",
  "Translate the haiku into French",
  "add a quick fix for the login bug",
  "make a quick pass over the README",
  "use haiku form for the commit messages",
  "I love Chopin's opus 28",
  "the sonnet sequence should be formatted as a table",
  "fix the cursor position in the editor",
  "read the opus file and summarize it",
  "Port src/gpt-4.ts to the new client",
  "add support for the gpt-4 API in our client",
  "summarize this haiku: an old silent pond",
  "Write a poem in haiku style",
  "quick question: why does the build fail?",
  "with a sonnet and a haiku, celebrate the release",
  "compare the gpt-4 tokenizer output with ours",
  "rename ./claude-opus-4 to something shorter",
  "a haiku, a sonnet and an ode walk into a bar",
  "read sonnet 18 aloud",
  "the gemini constellation is visible in winter",
  "Explain how the codex of Justinian shaped civil law",
  "Write a sonnet, then a haiku, then a limerick",
  "my favourite haiku is about a frog",
  "We need haiku-style commit messages",
  "Listen to opus 131 while you refactor",
  "move the cursor to the end of the line",
  "use the gemini constellation as the example",
];

for (const text of NAMES_NOTHING) {
  Deno.test(`resolveRequest: names nothing: "${text}"`, async () => {
    const deps = discovery();
    const r = await resolveRequest(text, await config(), deps);
    assert.deepEqual(
      r.mentions.filter((m) => !m.negated).map((m) => m.text),
      [],
      `mentions found in "${text}"`,
    );
    assert.equal(r.source, "default");
    assert.equal(r.choice, "opus");
    assert.equal(r.needsConfirmation, true);
    assert.equal(deps.calls, 0, "no discovery for a request that names no model");
  });
}

// [request, expected choice, expected non-negated mention texts in order]
const NAMES_A_MODEL: [string, string, string[]][] = [
  ["use opus to review the auth module", "opus", ["opus"]],
  ["have sonnet fix the failing tests", "sonnet", ["sonnet"]],
  ["ask haiku to summarize the logs", "haiku", ["haiku"]],
  ["dispatch this to haiku", "haiku", ["haiku"]],
  ["send the flaky test to opus please", "opus", ["opus"]],
  ["review the PR with gpt-5.5.", "gpt-5.5", ["gpt-5.5"]],
  ["gpt-5.5: refactor the parser", "gpt-5.5", ["gpt-5.5"]],
  ["have security-reviewer look at the auth code", "security-reviewer", ["security-reviewer"]],
  ["use quick to bump the version", "quick", ["quick"]],
  ["@opus please look at this", "opus", ["opus"]],
  ["the opus model should review this diff", "opus", ["opus"]],
  ["let codex handle the migration", "gpt-5.5", ["codex"]],
  ["run it on sonnet", "sonnet", ["sonnet"]],
  ["opus to review the PR and haiku to write the changelog", "haiku", ["opus", "haiku"]],
  ["have opus review and sonnet test", "sonnet", ["opus", "sonnet"]],
  ["use opus or sonnet", "sonnet", ["opus", "sonnet"]],
  ["use sonnet, not opus", "sonnet", ["sonnet"]],
  ["don't use haiku, use sonnet", "sonnet", ["sonnet"]],
  ["switch from opus to haiku", "haiku", ["haiku"]],
  ["use opus instead of sonnet", "opus", ["opus"]],
  ["With opus, write a haiku about cats", "opus", ["opus"]],
  ["ask sonnet to write a haiku", "sonnet", ["sonnet"]],
  ["Use OPUS for this", "opus", ["OPUS"]],
  ["use `gemini-2.5-pro` for the docs", "gemini-2.5-pro", ["gemini-2.5-pro"]],
  ["use composer-2 for the UI tweaks", "composer-2", ["composer-2"]],
  ["use big-pickle to triage", "opencode/big-pickle", ["big-pickle"]],
  ["Have opus review it. Then have sonnet write the tests.", "sonnet", ["opus", "sonnet"]],
  ["use a gpt-5.5 worker for this", "gpt-5.5", ["gpt-5.5"]],
  ["Can you get opus to look at the flaky test?", "opus", ["opus"]],
  ["I'd like sonnet to handle this", "sonnet", ["sonnet"]],
  ["use claude sonnet for the review", "sonnet", ["claude", "sonnet"]],
  ["Use Sonnet 4.5 for this", "sonnet", ["Sonnet"]],
  ["have GPT-5.5 do it", "gpt-5.5", ["GPT-5.5"]],
  ["Please delegate the migration to opus.", "opus", ["opus"]],
  ["hand it over to haiku", "haiku", ["haiku"]],
];

for (const [text, choice, mentioned] of NAMES_A_MODEL) {
  Deno.test(`resolveRequest: "${text}" -> ${choice}`, async () => {
    const r = await resolve(text);
    assert.deepEqual(r.mentions.filter((m) => !m.negated).map((m) => m.text), mentioned);
    assert.equal(r.choice, choice);
    assert.equal(r.source, "named");
    assert.equal(r.needsConfirmation, false);
  });
}
