/**
 * The plugin's static surface, checked by the real `claude plugin validate`
 * (offline) and by reading the files: manifest, marketplace, hooks in exec
 * form, the two commands with their frontmatter, and the playbook's size.
 * @module
 */
import assert from "node:assert/strict";
import { cliInstalled, cliPath } from "../mock/cli_env.ts";
import { ROOT } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";

const ignore = !cliInstalled("claude");
const MONITOR_COMMAND = '"${CLAUDE_PLUGIN_ROOT}/bin/dispatch" watch --stream';
const EVENTS = ["UserPromptSubmit", "UserPromptExpansion", "SessionStart", "SessionEnd", "PreToolUse"];

interface Validation {
  success: boolean;
  manifest: { type: string; errors: unknown[]; warnings: unknown[] };
  provides: {
    hooks: { event: string; type: string; command: string; args?: string[] }[];
    skills: string[];
    commands: string[];
    bin: string[];
    monitors: { name: string; command: string }[];
  };
}

async function validate(target: string): Promise<{ code: number; json: Validation }> {
  await using homeDir = await tempDir("dispatch-validate-");
  const home = homeDir.path;
  const out = await new Deno.Command(cliPath("claude"), {
    args: ["plugin", "validate", "--json", target],
    cwd: ROOT,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      CLAUDE_CONFIG_DIR: `${home}/.claude`,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      DISABLE_ERROR_REPORTING: "1",
    },
    clearEnv: true,
    stdin: "null",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  return { code: out.code, json: JSON.parse(text.slice(text.indexOf("{"))) };
}

/** The YAML frontmatter of a markdown file as key -> raw value (one-line values only). */
function frontmatter(text: string): Record<string, string> {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  assert.ok(m, "no frontmatter");
  const out: Record<string, string> = {};
  for (const line of m[1]!.split("\n")) {
    const kv = /^([a-z-]+):\s*(.*)$/.exec(line);
    if (kv) out[kv[1]!] = kv[2]!.replace(/^"(.*)"$/, "$1");
  }
  return out;
}

Deno.test({
  name: "plugin: claude plugin validate passes for the plugin and lists hooks, commands, skill and bin",
  ignore,
  async fn() {
    const { code, json } = await validate(`${ROOT}/.claude-plugin/plugin.json`);
    assert.equal(code, 0);
    assert.equal(json.success, true);
    assert.equal(json.manifest.type, "plugin");
    assert.deepEqual(json.manifest.errors, []);
    assert.deepEqual(json.manifest.warnings, []);
    assert.deepEqual(
      json.provides.hooks.map((h) => [h.event, h.type, h.command, h.args]),
      EVENTS.map((e) => [e, "command", "${CLAUDE_PLUGIN_ROOT}/bin/dispatch", ["hook", e]]),
    );
    assert.deepEqual(json.provides.commands.toSorted(), ["dispatch:dispatch", "dispatch:dispatch-status"]);
    assert.deepEqual(json.provides.skills, ["dispatch:dispatch"]);
    assert.deepEqual(json.provides.bin, ["dispatch"]);
    // The pinned claude loads monitors/monitors.json (no experimental-field warning): the push of interactive sessions.
    assert.deepEqual(json.provides.monitors, [{ name: "dispatch", command: MONITOR_COMMAND }]);
  },
});

Deno.test({
  name: "plugin: claude plugin validate passes for the marketplace at the repository root",
  ignore,
  async fn() {
    const { code, json } = await validate(ROOT);
    assert.equal(code, 0);
    assert.equal(json.success, true);
    assert.equal(json.manifest.type, "marketplace");
    assert.deepEqual(json.manifest.errors, []);
    assert.deepEqual(json.manifest.warnings, []);
  },
});

Deno.test("plugin: manifest and marketplace agree with package.json", async () => {
  const pkg = JSON.parse(await Deno.readTextFile(`${ROOT}/package.json`));
  const plugin = JSON.parse(await Deno.readTextFile(`${ROOT}/.claude-plugin/plugin.json`));
  const market = JSON.parse(await Deno.readTextFile(`${ROOT}/.claude-plugin/marketplace.json`));
  assert.equal(plugin.name, "dispatch");
  assert.equal(plugin.version, pkg.version);
  assert.equal(plugin.license, "MIT");
  assert.ok(plugin.description.length > 20 && plugin.author?.name && plugin.keywords.length > 0);
  const entry = market.plugins.find((p: { name: string }) => p.name === "dispatch");
  assert.ok(entry, "marketplace does not list dispatch");
  assert.equal(entry.source, "./");
  assert.equal(entry.version, pkg.version);
});

Deno.test("plugin: hooks are exec form with timeouts, never async (they block in claude -p)", async () => {
  const hooks = JSON.parse(await Deno.readTextFile(`${ROOT}/hooks/hooks.json`)).hooks;
  assert.deepEqual(Object.keys(hooks).toSorted(), EVENTS.toSorted());
  for (const event of EVENTS) {
    const handlers = hooks[event].flatMap((g: { hooks: unknown[] }) => g.hooks);
    assert.equal(handlers.length, 1, event);
    const h = handlers[0];
    assert.equal(h.command, "${CLAUDE_PLUGIN_ROOT}/bin/dispatch");
    assert.deepEqual(h.args, ["hook", event]);
    assert.ok(h.timeout > 0 && h.timeout <= 30, `${event}: timeout ${h.timeout}`);
    assert.equal(h.async, undefined);
    assert.equal(h.asyncRewake, undefined);
  }
});

Deno.test("plugin: one monitor streams dispatch's events for the whole session (no when: it starts with it)", async () => {
  const monitors = JSON.parse(await Deno.readTextFile(`${ROOT}/monitors/monitors.json`));
  assert.deepEqual(monitors, [{
    name: "dispatch",
    command: MONITOR_COMMAND,
    description: "dispatch workers",
  }]);
  const plugin = JSON.parse(await Deno.readTextFile(`${ROOT}/.claude-plugin/plugin.json`));
  assert.equal(plugin.monitors, undefined, "declared twice");
  assert.equal(plugin.experimental?.monitors, undefined, "declared twice");
});

Deno.test("plugin: commands resolve bare (frontmatter name) and pre-approve the helper", async () => {
  const dispatch = await Deno.readTextFile(`${ROOT}/commands/dispatch.md`);
  const fm = frontmatter(dispatch);
  assert.equal(fm.name, "dispatch");
  assert.ok(fm.description && fm["argument-hint"]);
  // Issue 10: no prefix rule (`Bash(dispatch:*)` let the turn run `dispatch …; anything`); the PreToolUse
  // hook approves dispatch's commands, and the one it does not (the first `config init`) is named exactly.
  const bashRules = (fm["allowed-tools"] ?? "").match(/Bash\([^)]*\)/g) ?? [];
  assert.deepEqual(bashRules, ["Bash(dispatch config init)"]);
  assert.ok(dispatch.includes("$ARGUMENTS"));
  // Issue 10: the playbook comes once per session from the UserPromptExpansion hook, never per call.
  assert.ok(
    !dispatch.includes("@${CLAUDE_PLUGIN_ROOT}/skills/dispatch/SKILL.md"),
    "playbook attached per call",
  );
  assert.ok(
    dispatch.includes("read\n${CLAUDE_PLUGIN_ROOT}/skills/dispatch/SKILL.md"),
    "no fallback to the file",
  );

  const status = await Deno.readTextFile(`${ROOT}/commands/dispatch-status.md`);
  const sfm = frontmatter(status);
  assert.equal(sfm.name, "dispatch-status");
  assert.ok(sfm.description && sfm["argument-hint"]);
  // A !`...` command must be allowed by allowed-tools, or the whole invocation aborts: it is no tool
  // call, so the PreToolUse hook is not asked (claude 2.1.330: "This command requires approval").
  const bang = /!`([^`]+)`/.exec(status)?.[1];
  assert.equal(bang, "dispatch status $ARGUMENTS 2>&1 || true");
  assert.match(sfm["allowed-tools"]!, /Bash\(dispatch status:\*\)/);
  assert.match(sfm["allowed-tools"]!, /Bash\(true\)/);
});

Deno.test("plugin: the playbook stays within 5,000 bytes and names the references it points to", async () => {
  const skill = await Deno.readFile(`${ROOT}/skills/dispatch/SKILL.md`);
  assert.ok(skill.length <= 5000, `SKILL.md is ${skill.length} bytes`);
  const text = new TextDecoder().decode(skill);
  // As /dispatch: while the skill is in use, no prefix rule lets a `dispatch answer … allow` (a permission
  // grant, which the approve hook leaves to the user) or anything after a `;` through unprompted.
  assert.deepEqual(frontmatter(text)["allowed-tools"], "Bash(dispatch config init)");
  for (const ref of ["config.md", "backends.md", "troubleshooting.md"]) {
    assert.ok(text.includes(ref), `SKILL.md does not mention ${ref}`);
    assert.ok((await Deno.stat(`${ROOT}/skills/dispatch/references/${ref}`)).isFile, ref);
  }
  for (
    const step of [
      "dispatch resolve",
      "dispatch start",
      "dispatch watch",
      "run_in_background",
      "dispatch answer",
    ]
  ) {
    assert.ok(text.includes(step), `SKILL.md does not cover ${step}`);
  }
});
