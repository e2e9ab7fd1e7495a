/**
 * Adding a worker CLI is one folder (its profile, tiers, adapter and auth
 * check) plus its line in src/backends/registry.ts: discovery, the doctor,
 * config validation and the tier table loop over the registry's profiles
 * and need no change. Shown here with a throw-away CLI registered beside
 * the real ones.
 */
import assert from "node:assert/strict";
import { fakeClis, testCtx } from "../../test/config_helpers.ts";
import { cliLaunch, executable } from "../backends/launch_common.ts";
import type { CliProfile } from "../backends/profile.ts";
import { BUILTIN_BACKENDS } from "../backends/registry.ts";
import { CLI_PROFILES } from "../backends/profiles.ts";
import { type TierMapping, tierTableMarkdown } from "../backends/tiers.ts";
import type { BackendAdapter, LaunchInput, LaunchSpec } from "../backends/types.ts";
import { importParsers, parseConfigText } from "../config/load.ts";
import { scoped } from "../config/test_scope.ts";
import { discoverCatalog } from "../models/discover.ts";
import { runDoctor } from "./run.ts";

// ---- what src/backends/fakecli/ would hold

const fakeTiers: TierMapping = {
  read: () => ({ args: ["--read-only"] }),
  edit: () => ({ args: [] }),
  full: () => ({ args: ["--yolo"] }),
};

function build(input: LaunchInput, extra: string[]): LaunchSpec {
  return cliLaunch(input, fakeTiers, [executable(input, "fakecli"), "--headless", "-m", input.spec.modelId], {
    extra,
  });
}

const fakeAdapter: BackendAdapter = {
  name: "fakecli",
  launch: (input) => build(input, []),
  resume: (input, session) => build(input, ["--session", session]),
};

const fakeProfile: CliProfile = {
  name: "fakecli",
  label: "Fake CLI",
  bins: ["fakecli"],
  install: "npm install -g fakecli",
  tiers: fakeTiers,
  models: { list: { args: ["models"], parse: (out) => out.split("\n").filter(Boolean) }, documented: [] },
  doctor: {
    help: [{ args: ["--help"], from: "both" }],
    longNames: { "-m": "--model" },
    auth: ({ env }) =>
      Promise.resolve(
        env.FAKE_KEY ? { ok: true, detail: "FAKE_KEY is set" } : { ok: false, detail: "no key" },
      ),
  },
  adapter: () => Promise.resolve(fakeAdapter),
};

// ---- and its line in the registry

const PROFILES = [...CLI_PROFILES, fakeProfile];
const BUILTINS = [...BUILTIN_BACKENDS, fakeProfile.name];

const FAKECLI = `case "$1" in
  models) echo fake-1; echo fake-2;;
  --version) echo "fakecli 1.0";;
  --help) for f in --headless --model --read-only --yolo --session; do echo "  $f  text"; done;;
esac`;

Deno.test("a seventh CLI: discovery lists its models with no change to the engine", async () => {
  await using fake = scoped(await fakeClis({ fakecli: FAKECLI }));
  const catalog = await discoverCatalog({ env: { PATH: fake.dir }, now: 1, profiles: PROFILES });
  assert.deepEqual(catalog.clis.at(-1), {
    backend: "fakecli",
    path: `${fake.dir}/fakecli`,
    source: "listed",
    models: ["fake-1", "fake-2"],
    ms: catalog.clis.at(-1)!.ms,
  });
});

Deno.test("a seventh CLI: config accepts its type, and the doctor checks it from its profile and adapter", async () => {
  await using fake = scoped(await fakeClis({ fakecli: FAKECLI }));
  await using ctx = scoped(await testCtx({ path: [fake.dir] }));
  const config = parseConfigText(
    "backends:\n  fake: { type: fakecli, env: { FAKE_KEY: x } }\nmodels:\n  fake-1: { backend: fake }\n",
    "test",
    await importParsers(),
    BUILTINS,
  );
  const [report] = await runDoctor(ctx, config, { profiles: PROFILES, timeoutMs: 10_000 });
  assert.deepEqual(report!.checks.map((c) => [c.check, c.ok, c.detail]), [
    ["installed", true, `${fake.dir}/fakecli`],
    ["version", true, "fakecli 1.0"],
    ["authenticated", true, "FAKE_KEY is set"],
    ["headless flags", true, "--headless --model --read-only --yolo --session"],
  ]);
});

Deno.test("a seventh CLI: the README tier table gets its row", () => {
  const rows = tierTableMarkdown(PROFILES).trim().split("\n");
  assert.equal(
    rows.at(-1),
    "| fakecli | `--read-only` | `(none: the CLI's own default)` | `--yolo` | rules only |",
  );
});
