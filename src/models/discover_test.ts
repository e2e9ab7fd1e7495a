import assert from "node:assert/strict";
import { fakeClis, REAL_CLIS } from "../../test/config_helpers.ts";
import { discoverCatalog, overridesFrom } from "./discover.ts";
import { type Catalog, catalogNames, readCatalog, writeCatalog } from "./catalog.ts";
import { backendNameFor, placeModel } from "./place.ts";
import { parseCodexModels } from "../backends/codex/profile.ts";
import { parseCursorModels } from "../backends/cursor/profile.ts";
import { parseOpencodeModels } from "../backends/opencode/profile.ts";
import type { ProbeResult, ProbeRunner } from "../proc/probe.ts";
import type { Config } from "../config/schema.ts";

const CODEX_JSON = JSON.stringify({
  models: [
    { slug: "gpt-6-astra", visibility: "list", priority: 2 },
    { slug: "gpt-6.1-sol", visibility: "list", priority: 1 },
    { slug: "gpt-daybreak-blue-latest", visibility: "hide", priority: 11 },
    { slug: "gpt-5.5", visibility: "list", priority: 13 },
  ],
});

Deno.test("parseCodexModels: visible models in codex's priority order, after a warning line", () => {
  assert.deepEqual(
    parseCodexModels(`WARNING: proceeding, even though we could not create PATH aliases\n${CODEX_JSON}`),
    ["gpt-6.1-sol", "gpt-6-astra", "gpt-5.5"],
  );
  assert.deepEqual(parseCodexModels("no json here"), []);
  assert.throws(() => parseCodexModels("{ broken"));
});

Deno.test("parseOpencodeModels: provider/model lines, colour codes and noise dropped", () => {
  assert.deepEqual(
    parseOpencodeModels(
      "\x1b[0mopencode/big-pickle\nanthropic/claude-opus-4-5\n\nsome log line: x\nzai/glm-4.6\n",
    ),
    ["opencode/big-pickle", "anthropic/claude-opus-4-5", "zai/glm-4.6"],
  );
});

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

function result(partial: Partial<ProbeResult>): ProbeResult {
  return { code: 0, stdout: "", stderr: "", timedOut: false, notFound: false, ms: 1, ...partial };
}

Deno.test("discoverCatalog: lists where it can, documented names elsewhere, all at once", async () => {
  const fake = await fakeClis({ claude: "exit 0", codex: "exit 0", opencode: "exit 0", gemini: "exit 0" });
  const calls: string[][] = [];
  let running = 0;
  let maxRunning = 0;
  const runner: ProbeRunner = async (argv, opts) => {
    calls.push(argv);
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, 50));
    running--;
    const name = argv[0]!.split("/").pop();
    if (name === "codex") return result({ stdout: CODEX_JSON });
    if (name === "opencode") {
      assert.equal(opts.env.OPENCODE_DISABLE_MODELS_FETCH, "1", "opencode must stay offline");
      return result({ stdout: "opencode/big-pickle\n" });
    }
    throw new Error(`unexpected probe ${argv.join(" ")}`);
  };
  try {
    const c = await discoverCatalog({ env: { PATH: fake.dir }, now: 42, runner });
    assert.equal(c.created, 42);
    const by = Object.fromEntries(c.clis.map((x) => [x.backend, x]));
    assert.deepEqual(by.claude!.models, ["opus", "sonnet", "haiku", "fable"]);
    assert.equal(by.claude!.source, "documented");
    assert.deepEqual(by.codex!.models, ["gpt-6.1-sol", "gpt-6-astra", "gpt-5.5"]);
    assert.equal(by.codex!.source, "listed");
    assert.equal(by.gemini!.source, "documented");
    assert.deepEqual(by.opencode!.models, ["opencode/big-pickle"]);
    assert.equal(by.cursor!.path, null);
    assert.equal(by.qwen!.source, "none");
    assert.deepEqual(calls.map((a) => a.slice(1).join(" ")).sort(), ["debug models", "models"]);
    assert.equal(maxRunning, 2, "listings run in parallel");
  } finally {
    await fake.cleanup();
  }
});

Deno.test("discoverCatalog: a listing that times out or fails falls back, with the reason", async () => {
  const fake = await fakeClis({ codex: "exit 0", agent: "exit 0" });
  const runner: ProbeRunner = (argv, opts) => {
    if (argv[0]!.endsWith("codex")) {
      return Promise.resolve(result({ code: null, timedOut: true, ms: opts.timeoutMs }));
    }
    return Promise.resolve(result({ code: 1, stderr: "Error: not logged in\n" }));
  };
  try {
    const c = await discoverCatalog({ env: { PATH: fake.dir }, now: 0, runner, timeoutMs: 300 });
    const codex = c.clis.find((x) => x.backend === "codex")!;
    assert.equal(codex.source, "documented");
    assert.match(codex.error!, /'codex debug models' timed out after 300 ms/);
    const cursor = c.clis.find((x) => x.backend === "cursor")!;
    assert.equal(cursor.path, `${fake.dir}/agent`);
    assert.match(cursor.error!, /'agent models' exited 1: Error: not logged in/);
  } finally {
    await fake.cleanup();
  }
});

Deno.test("discoverCatalog: a hung CLI costs its time limit, not more (real processes)", async () => {
  const fake = await fakeClis({ codex: "sleep 30", agent: 'echo "composer-2 - Composer 2"' });
  try {
    const started = Date.now();
    const c = await discoverCatalog({ env: { PATH: `${fake.dir}:/usr/bin:/bin` }, now: 0, timeoutMs: 400 });
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.match(c.clis.find((x) => x.backend === "codex")!.error!, /timed out/);
    assert.deepEqual(c.clis.find((x) => x.backend === "cursor")!.models, ["composer-2"]);
  } finally {
    await fake.cleanup();
  }
});

Deno.test("discoverCatalog: config overrides give a CLI its bin and env", async () => {
  const fake = await fakeClis({ "my-opencode": 'echo "mock/$MOCK_MODEL"' });
  const config = {
    backends: { oc: { type: "opencode", bin: `${fake.dir}/my-opencode`, env: { MOCK_MODEL: "m1" } } },
    models: {},
    aliases: {},
  } as unknown as Config;
  try {
    const c = await discoverCatalog({
      env: { PATH: "/usr/bin:/bin" },
      now: 0,
      overrides: overridesFrom(config),
    });
    assert.deepEqual(c.clis.find((x) => x.backend === "opencode")!.models, ["mock/m1"]);
  } finally {
    await fake.cleanup();
  }
});

Deno.test("discoverCatalog: the real pinned CLIs, offline (codex debug models, opencode models)", async () => {
  const home = await Deno.makeTempDir({ prefix: "dispatch-discover-real-" });
  try {
    const env = {
      PATH: `${REAL_CLIS}:/usr/bin:/bin`,
      HOME: home,
      CODEX_HOME: `${home}/.codex`,
      XDG_CONFIG_HOME: `${home}/.config`,
      XDG_DATA_HOME: `${home}/.local/share`,
      XDG_CACHE_HOME: `${home}/.cache`,
      XDG_STATE_HOME: `${home}/.local/state`,
    };
    await Deno.mkdir(env.CODEX_HOME);
    const started = Date.now();
    // a generous limit: this test checks the parsing of real output; the limit itself is tested above
    // (a cold opencode took 7-25 s to list on this loaded 2-core machine)
    const c = await discoverCatalog({ env, now: Date.now(), timeoutMs: 40_000 });
    const took = Date.now() - started;
    const by = Object.fromEntries(c.clis.map((x) => [x.backend, x]));
    assert.equal(by.codex!.source, "listed", by.codex!.error);
    assert.ok(by.codex!.models.includes("gpt-5.5"), by.codex!.models.join(","));
    assert.equal(by.opencode!.source, "listed", by.opencode!.error);
    assert.ok(by.opencode!.models.some((m) => m.startsWith("opencode/")), by.opencode!.models.join(","));
    for (const b of ["claude", "gemini", "qwen"]) assert.equal(by[b]!.source, "documented");
    assert.equal(by.cursor!.path, null);
    assert.ok(took < 45_000, `discovery took ${took} ms`);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

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

Deno.test("catalogNames: installed CLIs' models and the bare names of provider/model ids", () => {
  const names = catalogNames(CATALOG);
  assert.ok(names.includes("glm-4.6") && names.includes("zai/glm-4.6") && names.includes("gpt-5.5"));
  assert.equal(catalogNames(undefined).length, 0);
});

Deno.test("readCatalog/writeCatalog: round trip; a corrupt cache reads as none", async () => {
  const home = await Deno.makeTempDir();
  try {
    assert.equal(await readCatalog(home), undefined);
    await writeCatalog(home, CATALOG);
    assert.deepEqual(await readCatalog(home), CATALOG);
    await Deno.writeTextFile(`${home}/.models.cache.json`, "{not json");
    assert.equal(await readCatalog(home), undefined);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
