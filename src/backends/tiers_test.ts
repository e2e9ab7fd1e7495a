import assert from "node:assert/strict";
import { TIERS } from "../config/schema.ts";
import { CLI_NAMES } from "./registry.ts";
import {
  renderTier,
  TIER_PLACEHOLDERS,
  TIER_TABLE,
  tierFlags,
  tierTableMarkdown,
  type TierVars,
} from "./tiers.ts";

const VARS: TierVars = {
  bin: "/opt/d/bin/dispatch",
  taskDir: "/h/.dispatch/tasks/t-1",
  workDir: "/h/.dispatch/tasks/t-1/work",
  home: "/h/.dispatch",
  taskId: "t-1",
  rules: { allow: [], deny: [] },
};
const BYPASS = /dangerously|danger-full-access|yolo|--force|"\*":"allow"/;

function everything(cli: (typeof CLI_NAMES)[number], tier: (typeof TIERS)[number]): string {
  const f = tierFlags(cli, tier, VARS);
  return [...f.args, ...Object.values(f.env ?? {}), ...Object.values(f.files ?? {})].join("\n");
}

Deno.test("tiers: read and edit never bypass permissions; full always does", () => {
  for (const cli of CLI_NAMES) {
    for (const tier of ["read", "edit"] as const) {
      assert.doesNotMatch(everything(cli, tier), BYPASS, `${cli} ${tier}`);
    }
    assert.match(everything(cli, "full"), BYPASS, `${cli} full`);
  }
});

Deno.test("tiers: read and edit let the worker reach its task folder and ask", () => {
  for (const cli of CLI_NAMES) {
    for (const tier of ["read", "edit"] as const) {
      // Cursor has no flag for another writable folder (docs only; see cursor/tiers.ts).
      if (cli === "cursor") continue;
      const all = everything(cli, tier);
      assert.ok(all.includes(VARS.workDir), `${cli} ${tier}: work folder`);
      // codex governs files, not commands.
      if (cli !== "codex") {
        assert.ok(all.includes(`${VARS.bin} ask`), `${cli} ${tier}: dispatch ask`);
      }
    }
  }
});

Deno.test("tiers: no grant reaches the task's trusted files, only its work folder", () => {
  for (const cli of CLI_NAMES) {
    for (const tier of TIERS) {
      const all = everything(cli, tier);
      // The one mention allowed: gemini's policy file, an argument the CLI reads, kept out of the work folder.
      const rest = all.replaceAll(VARS.workDir, "<work>").replaceAll(
        `${VARS.taskDir}/gemini-policy.toml`,
        "<policy>",
      );
      assert.ok(!rest.includes(VARS.taskDir), `${cli} ${tier} names the task folder itself: ${rest}`);
      assert.ok(
        !rest.includes("tasks/t-1/*") && !rest.includes("tasks/t-1/**"),
        `${cli} ${tier}: a tail pattern`,
      );
    }
  }
  // codex's edit sandbox makes the rest of $DISPATCH_HOME read-only explicitly (it may lie in the project).
  assert.match(everything("codex", "edit"), /"\/h\/\.dispatch"="read"/);
});

Deno.test("tiers: only cursor's read tier is unsupported, and it says what to do", () => {
  for (const cli of CLI_NAMES) {
    for (const tier of TIERS) {
      const f = tierFlags(cli, tier, VARS);
      assert.equal(f.unsupported !== undefined, cli === "cursor" && tier === "read", `${cli} ${tier}`);
    }
  }
  assert.match(tierFlags("cursor", "read", VARS).unsupported!, /--tier edit or full/);
});

Deno.test("TIER_TABLE: every CLI and tier, with placeholders instead of paths", () => {
  assert.deepEqual(Object.keys(TIER_TABLE).sort(), [...CLI_NAMES].sort());
  for (const cli of CLI_NAMES) {
    assert.deepEqual(Object.keys(TIER_TABLE[cli]), ["read", "edit", "full"]);
    for (const tier of TIERS) assert.doesNotMatch(TIER_TABLE[cli][tier], /\/h\/\.dispatch/);
  }
  assert.equal(TIER_TABLE.codex.full, "-c 'sandbox_mode=\"danger-full-access\"'");
  assert.equal(
    TIER_TABLE.claude.edit,
    "--permission-mode acceptEdits --add-dir $TASK_DIR/work --allowedTools 'Bash($DISPATCH_BIN ask:*)'",
  );
  assert.match(TIER_TABLE.cursor.read, /^not supported: /);
  assert.equal(TIER_TABLE.cursor.edit, "(none: the CLI's own default)");
  assert.equal(TIER_TABLE.claude.read, renderTier(tierFlags("claude", "read", TIER_PLACEHOLDERS)));
});

Deno.test("tierTableMarkdown: one row per CLI, pipes escaped", () => {
  const md = tierTableMarkdown();
  const rows = md.trim().split("\n");
  assert.equal(rows.length, 2 + CLI_NAMES.length);
  assert.match(rows[0]!, /^\| CLI \| read \| edit \(default\) \| full \| relay \|$/);
  for (const row of rows.slice(2)) assert.equal(row.split(/(?<!\\)\|/).length, 7, row);
  assert.match(md, /\| claude \|.*\| PreToolUse hook answers `defer`/);
  assert.match(md, /\| qwen \|.*\| rules only \|$/m);
});

const RULES: TierVars = {
  ...VARS,
  rules: { allow: ["npm test", "git diff *"], deny: ["git push *", "rm -rf /"] },
};

function all(cli: (typeof CLI_NAMES)[number], tier: (typeof TIERS)[number], v = RULES): string {
  const f = tierFlags(cli, tier, v);
  return [...f.args, ...Object.values(f.env ?? {}), ...Object.values(f.files ?? {})].join("\n");
}

Deno.test("tiers: rules map to each CLI's own syntax, exact and prefix", () => {
  for (const tier of ["read", "edit"] as const) {
    assert.deepEqual(tierFlags("claude", tier, RULES).args.slice(-8), [
      "--allowedTools",
      "Bash(npm test)",
      "--allowedTools",
      "Bash(git diff:*)",
      "--disallowedTools",
      "Bash(git push:*)",
      "--disallowedTools",
      "Bash(rm -rf /)",
    ]);
    assert.deepEqual(tierFlags("qwen", tier, RULES).args.slice(-8), [
      "--allowed-tools",
      "run_shell_command(npm test)",
      "--allowed-tools",
      "run_shell_command(git diff *)",
      "--exclude-tools",
      "run_shell_command(git push *)",
      "--exclude-tools",
      "run_shell_command(rm -rf /)",
    ]);
    const policy = Object.values(tierFlags("gemini", tier, RULES).files!)[0]!;
    assert.match(policy, /commandRegex = "npm test\\""\ndecision = "allow"\npriority = 100/);
    assert.match(policy, /commandPrefix = "git diff"\ndecision = "allow"\npriority = 100/);
    assert.match(policy, /commandPrefix = "git push"\ndecision = "deny"\npriority = 200/);
    const bash = JSON.parse(tierFlags("opencode", tier, RULES).env!.OPENCODE_PERMISSION!).bash;
    assert.deepEqual(Object.entries(bash), [
      ["*", "deny"],
      [`${VARS.bin} ask *`, "allow"],
      ["npm test", "allow"],
      ["git diff", "allow"],
      ["git diff *", "allow"],
      ["git push", "deny"],
      ["git push *", "deny"],
      ["rm -rf /", "deny"],
    ]);
  }
});

Deno.test("tiers: deny wins over an allow of the same command in every mapping", () => {
  const both: TierVars = { ...VARS, rules: { allow: ["git push *"], deny: ["git push *"] } };
  const bash = JSON.parse(tierFlags("opencode", "edit", both).env!.OPENCODE_PERMISSION!).bash;
  const keys = Object.keys(bash);
  assert.equal(bash["git push *"], "deny");
  assert.equal(keys.at(-1), "git push *", "opencode applies the last matching pattern: the deny is last");
  assert.match(all("gemini", "edit", both), /decision = "deny"\npriority = 200/);
  assert.ok(all("claude", "edit", both).includes("--disallowedTools\nBash(git push:*)"));
  assert.ok(all("qwen", "edit", both).includes("--exclude-tools\nrun_shell_command(git push *)"));
});

Deno.test("tiers: full passes the deny rules only; codex and cursor map none", () => {
  for (const cli of ["claude", "qwen", "gemini", "opencode"] as const) {
    const text = all(cli, "full");
    assert.ok(text.includes("git push"), `${cli} full keeps the deny`);
    assert.ok(!text.includes("npm test"), `${cli} full passes no allow`);
  }
  for (const cli of ["codex", "cursor"] as const) {
    for (const tier of TIERS) {
      assert.deepEqual(tierFlags(cli, tier, RULES), tierFlags(cli, tier, VARS), `${cli} ${tier}`);
    }
  }
  // No rules, no policy file in gemini's full tier.
  assert.equal(tierFlags("gemini", "full", VARS).files, undefined);
});

Deno.test("tiers: CLIs without an OS sandbox of their own are confined in read and edit, never in full", () => {
  for (const cli of CLI_NAMES) {
    for (const tier of TIERS) {
      const confined = tierFlags(cli, tier, VARS).confine !== undefined;
      const expected = tier !== "full" && ["claude", "gemini", "qwen", "opencode"].includes(cli);
      assert.equal(confined, expected, `${cli} ${tier}`);
    }
  }
});
