import assert from "node:assert/strict";
import { fakeClis, REAL_CLIS, testCtx } from "../../test/config_helpers.ts";
import { runDoctor } from "./run.ts";
import { type BackendReport, renderDoctor } from "./report.ts";
import { headlessFlags } from "./headless_flags.ts";
import { claudeProfile } from "../backends/claude/profile.ts";
import { geminiProfile } from "../backends/gemini/profile.ts";
import { opencodeProfile } from "../backends/opencode/profile.ts";
import { importParsers, parseConfig } from "../backends/config_file.ts";
import type { Config } from "../config/schema.ts";
import { scoped } from "../config/test_scope.ts";

async function config(text: string): Promise<Config> {
  return parseConfig(text, "doctor test", await importParsers());
}

/** A --help text that lists `flags`, in the `-x, --flag <v>  text` layout CLIs use. */
function helpText(flags: string[], extra = ""): string {
  return `echo 'Usage: cli [options]'\n${
    flags.map((f) => `echo '  ${f} <value>   does things'`).join("\n")
  }\n${extra}`;
}

const CLAUDE_FLAGS = (await headlessFlags(claudeProfile))[0]!.flags;
const GEMINI_FLAGS = (await headlessFlags(geminiProfile))[0]!.flags;
const OPENCODE_FLAGS = (await headlessFlags(opencodeProfile))[0]!.flags;

const FAKES = {
  // installed, right flags, but `auth status` says not logged in (exit 1)
  claude: `case "$1" in
  --version) echo "2.1.330 (Claude Code)";;
  auth) echo '{"loggedIn": false, "authMethod": "none"}'; exit 1;;
  --help) ${helpText(CLAUDE_FLAGS)};;
esac`,
  // its --help lacks --skip-trust (an older gemini)
  gemini: `case "$1" in
  --version) echo "0.40.0";;
  --help) ${helpText(GEMINI_FLAGS.filter((f) => f !== "--skip-trust"))};;
esac`,
  opencode: `case "$1" in
  --version) echo "1.18.33";;
  auth) printf '\\033[0m\\n  Credentials ~/.local/share/opencode/auth.json\\n  0 credentials\\n  Environment\\n  Anthropic ANTHROPIC_API_KEY\\n  1 environment variable\\n';;
  run) ${helpText(OPENCODE_FLAGS)};;
esac`,
  // hangs: every probe must be cut off by the time limit
  qwen: "sleep 30",
};

const CONFIG = `
backends:
  claude: { type: claude }
  codex: { type: codex }
  gemini: { type: gemini, env: { GEMINI_API_KEY: "x" } }
  oc: { type: opencode }
  qwen: { type: qwen }
  legacy:
    command: >
      env -u CLAUDECODE -u CLAUDE_CODE_ENTRYPOINT
      claude -p --dangerously-skip-permissions --no-such-flag
  scripted: { type: scripted }
models:
  opus: { backend: claude }
  gpt-5.5: { backend: codex }
  anthropic/claude-opus-4-5: { backend: oc }
  old: { backend: legacy }
`;

function check(reports: BackendReport[], backend: string, name: string) {
  const r = reports.find((x) => x.backend === backend);
  assert.ok(r, `no report for ${backend}`);
  const c = r.checks.find((x) => x.check === name);
  assert.ok(c, `no ${name} check for ${backend}: ${JSON.stringify(r.checks)}`);
  return c;
}

Deno.test("runDoctor: fake CLIs in a temp PATH, each failure with its exact fix", async () => {
  await using fake = scoped(await fakeClis(FAKES));
  await using ctx = scoped(await testCtx({ path: [fake.dir] }));
  const started = Date.now();
  const reports = await runDoctor(ctx, await config(CONFIG), { timeoutMs: 1500 });
  assert.ok(Date.now() - started < 15_000, "a hung CLI is bounded by the probe time limit");
  assert.deepEqual(reports.map((r) => [r.backend, r.ok]), [
    ["claude", false],
    ["codex", false],
    ["gemini", false],
    ["oc", true],
    ["qwen", false],
    ["legacy", false],
    ["scripted", true],
  ]);

  assert.equal(check(reports, "claude", "installed").detail, `${fake.dir}/claude`);
  assert.equal(check(reports, "claude", "version").detail, "2.1.330 (Claude Code)");
  const auth = check(reports, "claude", "authenticated");
  assert.equal(auth.ok, false);
  assert.equal(auth.detail, "not logged in ('claude auth status' exited 1)");
  assert.match(auth.fix!, /claude auth login.*ANTHROPIC_API_KEY under backends\.claude\.env/);
  assert.equal(check(reports, "claude", "headless flags").ok, true);

  const codex = check(reports, "codex", "installed");
  assert.equal(codex.ok, false);
  assert.equal(
    codex.fix,
    "install it: npm install -g @openai/codex; or set backends.codex.bin to its full path",
  );
  assert.equal(check(reports, "codex", "version").skipped, true);

  assert.equal(check(reports, "gemini", "authenticated").detail, "GEMINI_API_KEY is set"); // from backends.gemini.env
  const flags = check(reports, "gemini", "headless flags");
  assert.equal(flags.detail, "its --help lacks --skip-trust");
  assert.equal(flags.fix, "upgrade it: npm install -g @google/gemini-cli");

  assert.match(
    check(reports, "oc", "authenticated").detail,
    /0 stored credential\(s\), 1 environment variable/,
  );

  assert.match(check(reports, "qwen", "version").detail, /'qwen --version' timed out/);
  assert.match(check(reports, "qwen", "headless flags").detail, /'qwen --help' timed out/);

  const legacyFlags = check(reports, "legacy", "headless flags");
  assert.equal(legacyFlags.detail, "its --help lacks --no-such-flag");
  assert.match(legacyFlags.fix!, /remove or correct --no-such-flag in backends\.legacy/);
  assert.equal(check(reports, "legacy", "authenticated").ok, false); // the same claude, checked the same way

  const text = renderDoctor(reports);
  const lines = text.trimEnd().split("\n");
  assert.ok(lines.every((l, i) => i === lines.length - 1 || /^[✓✗-] /.test(l)), text);
  assert.ok(
    lines.some((l) => /^✗ claude +authenticated +not logged in .*\. Fix: run 'claude auth login'/.test(l)),
  );
  assert.ok(lines.some((l) => /^✓ scripted +built in/.test(l)));
  assert.equal(lines.at(-1), "2 of 7 backend(s) ready; not ready: claude, codex, gemini, qwen, legacy.");
});

Deno.test("runDoctor: a gateway URL without gemini's auth type is caught before a worker exits 41", async () => {
  await using fake = scoped(await fakeClis({ gemini: FAKES.gemini }));
  await using ctx = scoped(
    await testCtx({
      path: [fake.dir],
      env: { GOOGLE_GEMINI_BASE_URL: "http://127.0.0.1:1", GEMINI_API_KEY: "x" },
    }),
  );
  const [r] = await runDoctor(ctx, await config("backends:\n  gemini: { type: gemini }\n"), {
    timeoutMs: 5000,
  });
  const auth = r!.checks.find((c) => c.check === "authenticated")!;
  assert.equal(auth.ok, false);
  assert.match(auth.fix!, /"selectedType":"gemini-api-key".*\.gemini\/settings\.json/);
  await Deno.mkdir(`${ctx.env.HOME}/.gemini`);
  await Deno.writeTextFile(
    `${ctx.env.HOME}/.gemini/settings.json`,
    '{"security":{"auth":{"selectedType":"gemini-api-key"}}}',
  );
  const [again] = await runDoctor(ctx, await config("backends:\n  gemini: { type: gemini }\n"), {
    timeoutMs: 5000,
  });
  assert.equal(again!.checks.find((c) => c.check === "authenticated")!.ok, true);
});

Deno.test("runDoctor: the real pinned CLIs' versions, auth checks and headless flags", async () => {
  await using ctx = scoped(await testCtx({ path: [REAL_CLIS] }));
  const e = ctx.env;
  Object.assign(e, {
    CODEX_HOME: `${e.HOME}/.codex`,
    XDG_CONFIG_HOME: `${e.HOME}/.config`,
    XDG_DATA_HOME: `${e.HOME}/.local/share`,
    XDG_CACHE_HOME: `${e.HOME}/.cache`,
    XDG_STATE_HOME: `${e.HOME}/.local/state`,
  });
  await Deno.mkdir(e.CODEX_HOME!);
  const text = `
backends:
  claude: { type: claude }
  claude-key: { type: claude, env: { ANTHROPIC_API_KEY: "sk-ant-test" } }
  codex: { type: codex }
  codex-key: { type: codex, env: { CODEX_API_KEY: "x" } }
  gemini: { type: gemini, env: { GEMINI_API_KEY: "x" } }
  opencode: { type: opencode }
  qwen: { type: qwen, env: { OPENAI_API_KEY: "x" } }
`;
  const reports = await runDoctor(ctx, await config(text), { timeoutMs: 40_000 });
  const detail = (b: string, c: string) => check(reports, b, c);
  for (const r of reports) {
    assert.equal(detail(r.backend, "installed").ok, true, r.backend);
    assert.equal(
      detail(r.backend, "version").ok,
      true,
      `${r.backend}: ${detail(r.backend, "version").detail}`,
    );
    const flags = detail(r.backend, "headless flags");
    assert.equal(flags.ok, true, `${r.backend}: ${flags.detail}`);
  }
  assert.equal(detail("claude", "version").detail, "2.1.330 (Claude Code)");
  assert.equal(detail("codex", "version").detail, "codex-cli 0.169.0");
  assert.equal(detail("gemini", "version").detail, "0.61.0");
  assert.equal(detail("opencode", "version").detail, "1.18.33");
  assert.equal(detail("qwen", "version").detail, "0.24.4");
  // no credentials in a fresh HOME: claude and codex say so, without spending a token
  assert.equal(detail("claude", "authenticated").ok, false);
  assert.match(detail("claude-key", "authenticated").detail, /logged in \(api_key, ANTHROPIC_API_KEY\)/);
  assert.equal(detail("codex", "authenticated").ok, false);
  assert.equal(detail("codex-key", "authenticated").detail, "CODEX_API_KEY is set");
  assert.equal(detail("gemini", "authenticated").ok, true);
  assert.equal(detail("qwen", "authenticated").detail, "OPENAI_API_KEY is set");
  assert.match(detail("opencode", "authenticated").detail, /free models/);
});
