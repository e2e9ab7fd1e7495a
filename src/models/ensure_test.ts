import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { fakeClis, testCtx } from "../../test/config_helpers.ts";
import { runBin } from "../../test/helpers.ts";
import { type Catalog, writeCatalog } from "./catalog.ts";
import { ensureModel, resolveAndRecord } from "./ensure.ts";
import { loadConfig } from "../backends/config_file.ts";
import type { ProbeRunner } from "../proc/probe.ts";
import { scoped } from "../config/test_scope.ts";
import { tempDir } from "../../test/temp_dir.ts";

const CONFIG = "# keep\ndefault: a\nmodels:\n  a: { backend: scripted }\n";

function codexRunner(slugs: string[], calls: string[][]): ProbeRunner {
  return (argv) => {
    calls.push(argv);
    return Promise.resolve({
      code: 0,
      stdout: JSON.stringify({ models: slugs.map((slug) => ({ slug, visibility: "list" })) }),
      stderr: "",
      timedOut: false,
      notFound: false,
      ms: 1,
    });
  };
}

Deno.test("ensureModel: a configured name costs nothing; an unknown one is discovered and added", async () => {
  await using fake = scoped(await fakeClis({ codex: "exit 0" }));
  await using ctx = scoped(await testCtx({ path: [fake.dir] }));
  const calls: string[][] = [];
  await Deno.writeTextFile(`${ctx.home}/config.yaml`, CONFIG);
  const config = await loadConfig(ctx.home);
  const same = await ensureModel(ctx, config, "a", { runner: codexRunner([], calls) });
  assert.equal(same.config, config);
  assert.equal(calls.length, 0);

  const r = await ensureModel(ctx, config, "GPT-6-Astra", { runner: codexRunner(["gpt-6-astra"], calls) });
  assert.equal(r.name, "gpt-6-astra", "added under the spelling the CLI lists");
  assert.deepEqual(r.added, { name: "gpt-6-astra", backend: "codex", how: "listed" });
  assert.equal(r.config.models["gpt-6-astra"]!.backend, "codex");
  assert.equal(calls.length, 1);
  assert.match(
    await Deno.readTextFile(`${ctx.home}/config.yaml`),
    /^# keep\n(.|\n)* {2}gpt-6-astra: \{ backend: codex \}\n$/,
  );
  assert.ok(await Deno.stat(`${ctx.home}/.models.cache.json`), "the catalog was cached");
});

Deno.test("ensureModel: the cached catalog is used before any CLI runs", async () => {
  await using ctx = scoped(await testCtx());
  const calls: string[][] = [];
  await Deno.writeTextFile(`${ctx.home}/config.yaml`, CONFIG);
  const cached: Catalog = {
    version: 1,
    created: 0,
    clis: [{ backend: "claude", path: "/x/claude", source: "documented", models: ["opus"] }],
  };
  await writeCatalog(ctx.home, cached);
  const r = await ensureModel(ctx, await loadConfig(ctx.home), "claude-sonnet-4-6", {
    runner: codexRunner([], calls),
  });
  assert.deepEqual(r.added, { name: "claude-sonnet-4-6", backend: "claude", how: "accepted" });
  assert.equal(calls.length, 0);
});

Deno.test("ensureModel: unknown everywhere is an InputError listing what is available; nothing written", async () => {
  await using ctx = scoped(await testCtx());
  await Deno.writeTextFile(`${ctx.home}/config.yaml`, CONFIG);
  await assert.rejects(
    ensureModel(ctx, await loadConfig(ctx.home), "gpt-9", { runner: codexRunner([], []) }),
    (e) => e instanceof InputError && /Unknown model: 'gpt-9'.*available: a;/.test(e.message),
  );
  assert.equal(await Deno.readTextFile(`${ctx.home}/config.yaml`), CONFIG);
});

Deno.test("resolveAndRecord: resolves and writes the additions", async () => {
  await using fake = scoped(await fakeClis({ codex: "exit 0" }));
  await using ctx = scoped(await testCtx({ path: [fake.dir] }));
  await Deno.writeTextFile(`${ctx.home}/config.yaml`, CONFIG);
  const r = await resolveAndRecord(ctx, await loadConfig(ctx.home), "use gpt-6-astra", {
    runner: codexRunner(["gpt-6-astra"], []),
  });
  assert.equal(r.choice, "gpt-6-astra");
  assert.equal(r.config.models["gpt-6-astra"]!.backend, "codex");
});

Deno.test("dispatch start --model NAME: an unconfigured but discoverable model is added and used", async () => {
  await using fake = scoped(
    await fakeClis({
      codex: `case "$1 $2" in
  "debug models") echo '{"models":[{"slug":"gpt-6-astra","visibility":"list"}]}';;
  *) exit 0;;
esac`,
    }),
  );
  await using homeDir = await tempDir("dispatch-start-model-");
  const home = homeDir.path;
  const env = { PATH: `${fake.dir}:/usr/bin:/bin`, HOME: home, DISPATCH_HOME: home, NO_COLOR: "1" };
  // disposed first: no worker outlives the test's home
  await using _workers = {
    [Symbol.asyncDispose]: () => runBin(["cancel", "--all"], env, { cwd: home }).then(() => {}, () => {}),
  };
  await Deno.writeTextFile(`${home}/config.yaml`, CONFIG);
  const r = await runBin(
    ["start", "--title", "model test", "--model", "gpt-6-astra", "--plan", "-", "--json"],
    env,
    { stdin: "# T\n- [ ] one\n", cwd: home, timeoutMs: 30_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "dispatch: Added model gpt-6-astra (codex) to config.yaml\n");
  const started = JSON.parse(r.stdout);
  assert.equal(started.model, "gpt-6-astra");
  assert.equal(started.backend, "codex");
  assert.match(await Deno.readTextFile(`${home}/config.yaml`), /gpt-6-astra: \{ backend: codex \}/);
  const unknown = await runBin(
    ["start", "--title", "t", "--model", "nothing-9", "--plan", "-"],
    env,
    { stdin: "- [ ] one\n", cwd: home, timeoutMs: 30_000 },
  );
  assert.equal(unknown.code, 65);
  assert.match(unknown.stderr, /Unknown model: 'nothing-9'/);
});
