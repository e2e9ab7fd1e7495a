import assert from "node:assert/strict";
import { fakeClis, testCtx } from "../../test/config_helpers.ts";
import type { Catalog } from "./catalog.ts";
import { chooseDefault, initConfig, initialConfigText } from "./first_run.ts";
import { importParsers, loadConfig, parseConfig } from "../backends/config_file.ts";
import type { ProbeRunner } from "../proc/probe.ts";
import { scoped } from "../config/test_scope.ts";

const CATALOG: Catalog = {
  version: 1,
  created: Date.UTC(2026, 10, 24),
  clis: [
    {
      backend: "claude",
      path: "/b/claude",
      source: "documented",
      models: ["opus", "sonnet", "haiku", "fable"],
    },
    { backend: "codex", path: "/b/codex", source: "listed", models: ["gpt-6.1-sol", "gpt-5.5"] },
    { backend: "gemini", path: null, source: "none", models: [] },
    {
      backend: "cursor",
      path: "/b/agent",
      source: "listed",
      models: ["composer-2", "gpt-5.5", "sonnet-4.6", "gemini-3-pro"],
    },
    {
      backend: "opencode",
      path: "/b/opencode",
      source: "documented",
      models: [],
      error: "'opencode models' timed out after 8000 ms",
    },
    { backend: "qwen", path: null, source: "none", models: [] },
  ],
};

Deno.test("renderInitialConfig: detected backends only, every model grouped by provider, a default", async () => {
  const text = initialConfigText(CATALOG);
  const config = parseConfig(text, "init", await importParsers());
  assert.deepEqual(Object.keys(config.backends), ["claude", "codex", "cursor", "opencode", "scripted"]);
  assert.equal(config.backends.codex!.type, "codex");
  assert.equal(config.default, "opus");
  assert.deepEqual(Object.keys(config.models), [
    "opus",
    "sonnet",
    "haiku",
    "fable",
    "sonnet-4.6",
    "gpt-6.1-sol",
    "gpt-5.5",
    "gemini-3-pro",
    "composer-2",
    "scripted",
  ]);
  // listed by both codex and cursor: the OpenAI name goes to codex
  assert.equal(config.models["gpt-5.5"]!.backend, "codex");
  assert.equal(config.models["sonnet-4.6"]!.backend, "cursor");
  assert.equal(config.models["scripted"]!.backend, "scripted");
  assert.deepEqual(config.aliases, {});
  // provider headings as YAML comments, in order
  const headings = text.split("\n").filter((l) => /^ {2}# [A-Z]/.test(l)).map((l) => l.trim());
  assert.deepEqual(headings, [
    "# Anthropic (Claude): Claude Code's documented names; listed by Cursor CLI",
    "# OpenAI (GPT, Codex): listed by Codex CLI",
    "# Google (Gemini): listed by Cursor CLI",
    "# Cursor: listed by Cursor CLI",
    "# Built in",
  ]);
  assert.match(text, /# opencode: listing its models failed \('opencode models' timed out after 8000 ms\)/);
  assert.match(text, /Written by 'dispatch config init' on 2026-11-24/);
});

Deno.test("renderInitialConfig: with no worker CLI, the scripted worker alone is configured and the default", async () => {
  const none: Catalog = {
    version: 1,
    created: 0,
    clis: CATALOG.clis.map((c) => ({ ...c, path: null, models: [] })),
  };
  const config = parseConfig(initialConfigText(none), "init", await importParsers());
  assert.deepEqual(Object.keys(config.backends), ["scripted"]);
  assert.deepEqual(Object.keys(config.models), ["scripted"]);
  assert.equal(config.default, "scripted");
});

Deno.test("chooseDefault: the most preferred detected CLI's first own model", () => {
  assert.equal(chooseDefault(CATALOG), "opus");
  const noClaude: Catalog = { ...CATALOG, clis: CATALOG.clis.filter((c) => c.backend !== "claude") };
  assert.equal(chooseDefault(noClaude), "gpt-6.1-sol");
  const cursorOnly: Catalog = { ...CATALOG, clis: CATALOG.clis.filter((c) => c.backend === "cursor") };
  assert.equal(chooseDefault(cursorOnly), "composer-2");
});

Deno.test("initConfig: discovers, writes config.yaml (0600) and the catalog cache", async () => {
  await using fake = scoped(await fakeClis({ claude: "exit 0", codex: "exit 0" }));
  await using ctx = scoped(await testCtx({ path: [fake.dir] }));
  const runner: ProbeRunner = () =>
    Promise.resolve({
      code: 0,
      stdout: JSON.stringify({ models: [{ slug: "gpt-5.5", visibility: "list" }] }),
      stderr: "",
      timedOut: false,
      notFound: false,
      ms: 1,
    });
  const r = await initConfig(ctx, { runner });
  assert.equal(r.written, true);
  assert.deepEqual(r.found, ["claude", "codex"]);
  assert.equal(r.models, 6); // opus sonnet haiku fable gpt-5.5 scripted
  const config = await loadConfig(ctx.home);
  assert.deepEqual(Object.keys(config.backends), ["claude", "codex", "scripted"]);
  assert.equal(config.models["gpt-5.5"]!.backend, "codex");
  assert.equal((await Deno.stat(r.path)).mode! & 0o777, 0o600);
  assert.ok(await Deno.stat(`${ctx.home}/.models.cache.json`));
});

Deno.test("initConfig: never overwrites an existing file, and does not even run discovery", async () => {
  await using ctx = scoped(await testCtx());
  let probes = 0;
  const runner: ProbeRunner = () => {
    probes++;
    throw new Error("must not run");
  };
  await Deno.writeTextFile(`${ctx.home}/config.yaml`, "# mine\nmodels: {}\n");
  const r = await initConfig(ctx, { runner });
  assert.equal(r.written, false);
  assert.equal(await Deno.readTextFile(`${ctx.home}/config.yaml`), "# mine\nmodels: {}\n");
  assert.equal(probes, 0);
});

Deno.test("initConfig: two first runs at once write one complete file", async () => {
  await using fake = scoped(await fakeClis({ claude: "exit 0" }));
  await using ctx = scoped(await testCtx({ path: [fake.dir] }));
  const results = await Promise.all([initConfig(ctx), initConfig(ctx), initConfig(ctx)]);
  assert.equal(results.filter((r) => r.written).length, 1);
  const config = await loadConfig(ctx.home);
  assert.equal(config.default, "opus");
});
