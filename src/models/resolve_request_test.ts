import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import type { Catalog, CliModels } from "./catalog.ts";
import { importParsers, parseConfig } from "../backends/config_file.ts";
import { type Resolution, resolveRequest } from "./resolve_request.ts";
import type { Config } from "../config/schema.ts";

const CONFIG_TEXT = `
default: opus
backends:
  claude: { type: claude }
  codex: { type: codex }
  cursor: { type: cursor }
  gemini: { type: gemini }
  opencode: { type: opencode }
  scripted: { type: scripted }
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
  haiku: { backend: claude }
  gpt-5.5: { backend: codex }
  gemini-2.5-pro: { backend: gemini }
  composer-2: { backend: cursor }
  opencode/big-pickle: { backend: opencode }
  scripted: { backend: scripted }
aliases:
  security-reviewer: { model: opus, prompt: "Find vulnerabilities.", tier: read }
  quick: { model: sonnet }
`;

async function config(text = CONFIG_TEXT): Promise<Config> {
  return parseConfig(text, "test config", await importParsers());
}

function cli(backend: string, models: string[], source: CliModels["source"] = "listed"): CliModels {
  return { backend, path: `/bin/${backend}`, source, models };
}

/** What the installed CLIs offer in these tests. */
const CATALOG: Catalog = {
  version: 1,
  created: 0,
  clis: [
    cli("claude", ["opus", "sonnet", "haiku", "fable"], "documented"),
    cli("codex", ["gpt-5.5", "gpt-6-astra"]),
    cli("gemini", ["gemini-2.5-pro", "gemini-3-pro-preview"], "documented"),
    cli("cursor", ["composer-2", "gpt-6-astra", "sonnet-4.6", "kimi-k2.5", "claude-opus-4-5"]),
    cli("opencode", ["opencode/big-pickle", "anthropic/claude-opus-4-5", "zai/glm-4.6"]),
    { backend: "qwen", path: null, source: "none", models: [] },
  ],
};

/** A discovery stub that counts its calls. */
function discovery(catalog: Catalog = CATALOG) {
  const deps = {
    calls: 0,
    discover: () => {
      deps.calls++;
      return Promise.resolve(catalog);
    },
  };
  return deps;
}

async function resolve(
  text: string,
  opts: { cached?: Catalog; catalog?: Catalog } = {},
): Promise<Resolution> {
  return resolveRequest(text, await config(), { cached: opts.cached, ...discovery(opts.catalog) });
}

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

Deno.test("resolveRequest: negated names are reported, in order, but never chosen", async () => {
  const r = await resolve("use sonnet, not opus");
  assert.deepEqual(r.mentions.map((m) => [m.text, m.negated]), [["sonnet", false], ["opus", true]]);
  const s = await resolve("switch from opus to haiku");
  assert.deepEqual(s.mentions.map((m) => [m.text, m.negated]), [["opus", true], ["haiku", false]]);
  const only = await resolve("anything but opus: don't use opus");
  assert.equal(only.source, "default");
  assert.equal(only.needsConfirmation, true);
});

Deno.test("resolveRequest: an alias resolves to its model, prompt and tier", async () => {
  const r = await resolve("have security-reviewer audit src/auth");
  assert.equal(r.choice, "security-reviewer");
  assert.deepEqual(r.resolved, {
    model: "opus",
    modelId: "opus",
    backend: "claude",
    alias: "security-reviewer",
    prompt: "Find vulnerabilities.",
    tier: "read",
  });
});

Deno.test("resolveRequest: every mention carries what it resolved to", async () => {
  const r = await resolve("have opus review and security-reviewer audit, then gpt-5.5 fix");
  assert.deepEqual(r.mentions.map((m) => [m.text, m.kind, m.resolved?.model, m.resolved?.backend]), [
    ["opus", "model", "opus", "claude"],
    ["security-reviewer", "alias", "opus", "claude"],
    ["gpt-5.5", "model", "gpt-5.5", "codex"],
  ]);
  assert.equal(r.choice, "gpt-5.5");
  assert.ok(r.mentions[0]!.index < r.mentions[1]!.index);
});

Deno.test("resolveRequest: a name not in config is found through discovery and returned as an addition", async () => {
  const deps = discovery();
  const r = await resolveRequest("use gpt-6-astra for the refactor", await config(), deps);
  assert.equal(deps.calls, 1);
  assert.equal(r.choice, "gpt-6-astra");
  // codex and cursor both list it: gpt names prefer codex
  assert.deepEqual(r.additions, [{ name: "gpt-6-astra", backend: "codex", how: "listed" }]);
  assert.equal(r.mentions[0]!.added, true);
  assert.equal(r.discovered, CATALOG);
});

Deno.test("resolveRequest: opus/sonnet/haiku-style names prefer claude over CLIs that list them", async () => {
  // opencode lists anthropic/claude-opus-4-5 and cursor lists claude-opus-4-5; claude takes any claude-* id
  const r = await resolve("use claude-opus-4-5 to refactor");
  assert.deepEqual(r.additions, [{ name: "claude-opus-4-5", backend: "claude", how: "accepted" }]);
  assert.equal(r.resolved.backend, "claude");
});

Deno.test("resolveRequest: gpt and o-series names prefer codex; without codex, the CLI that lists them", async () => {
  // cursor lists o3 too, but an OpenAI name goes to codex when codex has it
  const withO3: Catalog = {
    ...CATALOG,
    clis: CATALOG.clis.map((c) =>
      c.backend === "codex" || c.backend === "cursor" ? { ...c, models: [...c.models, "o3"] } : c
    ),
  };
  const o3 = await resolve("use o3 for the proof", { catalog: withO3 });
  assert.deepEqual(o3.additions, [{ name: "o3", backend: "codex", how: "listed" }]);
  // a name codex's own list lacks is not taken on faith (a typo is likelier than a new model)...
  await assert.rejects(resolve("use gpt-5.55 for the proof"), /Unknown model: 'gpt-5\.55'/);
  // ...unless codex could not list: then any OpenAI-family id is its
  const failed: Catalog = {
    ...CATALOG,
    clis: CATALOG.clis.map((c) =>
      c.backend === "codex" ? { ...c, source: "documented" as const, models: [] } : c
    ),
  };
  const o4 = await resolve("use o4-mini for the proof", { catalog: failed });
  assert.deepEqual(o4.additions, [{ name: "o4-mini", backend: "codex", how: "accepted" }]);
  const noCodex: Catalog = { ...CATALOG, clis: CATALOG.clis.filter((c) => c.backend !== "codex") };
  const astra = await resolve("use gpt-6-astra", { catalog: noCodex });
  assert.deepEqual(astra.additions, [{ name: "gpt-6-astra", backend: "cursor", how: "listed" }]);
});

Deno.test("resolveRequest: other names go to the CLI that lists them, with its id", async () => {
  const r = await resolve("use kimi-k2.5 for this", { cached: CATALOG });
  assert.deepEqual(r.additions, [{ name: "kimi-k2.5", backend: "cursor", how: "listed" }]);
  const glm = await resolve("use glm-4.6 to triage", { cached: CATALOG });
  assert.deepEqual(glm.additions, [{
    name: "glm-4.6",
    backend: "opencode",
    modelId: "zai/glm-4.6",
    how: "listed",
  }]);
});

Deno.test("resolveRequest: a cached catalog that has the name spares running the CLIs", async () => {
  const deps = discovery();
  const r = await resolveRequest("use gpt-6-astra", await config(), {
    cached: CATALOG,
    discover: deps.discover,
  });
  assert.equal(r.choice, "gpt-6-astra");
  assert.equal(deps.calls, 0);
  assert.equal(r.discovered, undefined);
});

Deno.test("resolveRequest: a stale cache that lacks the name is refreshed once", async () => {
  const stale: Catalog = { version: 1, created: 0, clis: [cli("codex", ["gpt-5.5"])] };
  const deps = discovery();
  const r = await resolveRequest("use gpt-6-astra then gemini-3-pro-preview", await config(), {
    cached: stale,
    discover: deps.discover,
  });
  assert.equal(deps.calls, 1);
  assert.equal(r.choice, "gemini-3-pro-preview");
  assert.deepEqual(r.additions.map((a) => [a.name, a.backend]), [["gpt-6-astra", "codex"], [
    "gemini-3-pro-preview",
    "gemini",
  ]]);
});

Deno.test("resolveRequest: unknown everywhere is an error listing what is available", async () => {
  await assert.rejects(
    resolve("use gemma-9-ultra for the docs", { catalog: { ...CATALOG, clis: CATALOG.clis.slice(0, 2) } }),
    (e) =>
      e instanceof InputError && /Unknown model: 'gemma-9-ultra'/.test(e.message) &&
      /available: opus, sonnet, haiku, gpt-5\.5/.test(e.message) &&
      /security-reviewer, quick/.test(e.message),
  );
});

Deno.test("resolveRequest: an unknown earlier mention is reported while a later known one wins", async () => {
  const r = await resolve("try gemma-9-ultra, or else use sonnet", {
    catalog: { ...CATALOG, clis: CATALOG.clis.slice(0, 2) },
  });
  assert.equal(r.choice, "sonnet");
  assert.match(r.mentions[0]!.error ?? "", /no installed CLI/);
  assert.deepEqual(r.additions, []);
});

Deno.test("resolveRequest: a backend named instead of a model means its default model there", async () => {
  const r = await resolve("let claude do it");
  assert.equal(r.choice, "opus"); // the default runs on claude
  const g = await resolve("ask gemini to draft the docs");
  assert.equal(g.choice, "gemini-2.5-pro");
});

Deno.test("resolveRequest: no default and nothing named is an error that says how to fix it", async () => {
  const c = await config(CONFIG_TEXT.replace("default: opus\n", ""));
  await assert.rejects(
    resolveRequest("write a haiku", c, discovery()),
    (e) => e instanceof InputError && /dispatch config default NAME/.test(e.message),
  );
});

Deno.test("resolveRequest: an earlier dispatch's config (command backends) resolves by backend name", async () => {
  const c = await config(`
default: opus
backends:
  claude:
    command: >
      env -u CLAUDE_CODE_ENTRYPOINT -u CLAUDECODE
      claude -p --dangerously-skip-permissions
  cursor:
    command: agent -p --force
models:
  opus: { backend: claude }
  gpt-5.3-codex: { backend: cursor }
`);
  const r = await resolveRequest("use claude-sonnet-4-6 here", c, discovery());
  // the claude CLI takes it; the config's backend for the claude CLI is the one named claude
  assert.deepEqual(r.additions, [{ name: "claude-sonnet-4-6", backend: "claude", how: "accepted" }]);
  const g = await resolveRequest("have gpt-5.3-codex review", c, discovery());
  assert.equal(g.resolved.backend, "cursor");
});
