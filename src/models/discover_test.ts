import assert from "node:assert/strict";
import { fakeClis, REAL_CLIS } from "../../test/config_helpers.ts";
import { discoverCatalog, overridesFrom } from "./discover.ts";
import { CODEX_MODELS_JSON as CODEX_JSON } from "../backends/codex/sample_models.ts";
import type { ProbeResult, ProbeRunner } from "../proc/probe.ts";
import type { Config } from "../config/schema.ts";
import { scoped } from "../config/test_scope.ts";
import { tempDir } from "../../test/temp_dir.ts";

function result(partial: Partial<ProbeResult>): ProbeResult {
  return { code: 0, stdout: "", stderr: "", timedOut: false, notFound: false, ms: 1, ...partial };
}

Deno.test("discoverCatalog: lists where it can, documented names elsewhere, all at once", async () => {
  await using fake = scoped(
    await fakeClis({ claude: "exit 0", codex: "exit 0", opencode: "exit 0", gemini: "exit 0" }),
  );
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
});

Deno.test("discoverCatalog: a listing that times out or fails falls back, with the reason", async () => {
  await using fake = scoped(await fakeClis({ codex: "exit 0", agent: "exit 0" }));
  const runner: ProbeRunner = (argv, opts) => {
    if (argv[0]!.endsWith("codex")) {
      return Promise.resolve(result({ code: null, timedOut: true, ms: opts.timeoutMs }));
    }
    return Promise.resolve(result({ code: 1, stderr: "Error: not logged in\n" }));
  };
  const c = await discoverCatalog({ env: { PATH: fake.dir }, now: 0, runner, timeoutMs: 300 });
  const codex = c.clis.find((x) => x.backend === "codex")!;
  assert.equal(codex.source, "documented");
  assert.match(codex.error!, /'codex debug models' timed out after 300 ms/);
  const cursor = c.clis.find((x) => x.backend === "cursor")!;
  assert.equal(cursor.path, `${fake.dir}/agent`);
  assert.match(cursor.error!, /'agent models' exited 1: Error: not logged in/);
});

Deno.test("discoverCatalog: a hung CLI costs its time limit, not more (real processes)", async () => {
  await using fake = scoped(await fakeClis({ codex: "sleep 30", agent: 'echo "composer-2 - Composer 2"' }));
  const started = Date.now();
  const c = await discoverCatalog({ env: { PATH: `${fake.dir}:/usr/bin:/bin` }, now: 0, timeoutMs: 400 });
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  assert.match(c.clis.find((x) => x.backend === "codex")!.error!, /timed out/);
  assert.deepEqual(c.clis.find((x) => x.backend === "cursor")!.models, ["composer-2"]);
});

Deno.test("discoverCatalog: config overrides give a CLI its bin and env", async () => {
  await using fake = scoped(await fakeClis({ "my-opencode": 'echo "mock/$MOCK_MODEL"' }));
  const config = {
    backends: { oc: { type: "opencode", bin: `${fake.dir}/my-opencode`, env: { MOCK_MODEL: "m1" } } },
    models: {},
    aliases: {},
  } as unknown as Config;
  const c = await discoverCatalog({
    env: { PATH: "/usr/bin:/bin" },
    now: 0,
    overrides: overridesFrom(config),
  });
  assert.deepEqual(c.clis.find((x) => x.backend === "opencode")!.models, ["mock/m1"]);
});

Deno.test("discoverCatalog: the real pinned CLIs, offline (codex debug models, opencode models)", async () => {
  await using homeDir = await tempDir("dispatch-discover-real-");
  const home = homeDir.path;
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
});
