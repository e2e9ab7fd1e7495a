import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import type { Catalog } from "./catalog.ts";
import { resolveRequest } from "./resolve_request.ts";
import {
  CATALOG,
  cli,
  config,
  CONFIG_TEXT,
  discovery,
  resolve,
  SECURITY_REVIEWER,
} from "./resolve_fixtures.ts";
import { EARLIER_EXAMPLE } from "../config/earlier_example.ts";

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
  assert.deepEqual(r.resolved, SECURITY_REVIEWER);
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
  const c = await config(EARLIER_EXAMPLE);
  const r = await resolveRequest("use claude-sonnet-4-6 here", c, discovery());
  // the claude CLI takes it; the config's backend for the claude CLI is the one named claude
  assert.deepEqual(r.additions, [{ name: "claude-sonnet-4-6", backend: "claude", how: "accepted" }]);
  const g = await resolveRequest("have gpt-5.3-codex review", c, discovery());
  assert.equal(g.resolved.backend, "cursor");
});
