import assert from "node:assert/strict";
import { claudeProfile } from "../backends/claude/profile.ts";
import { codexProfile } from "../backends/codex/profile.ts";
import { cursorProfile } from "../backends/cursor/profile.ts";
import { CLI_PROFILES } from "../backends/profiles.ts";
import { headlessFlags, helpHasFlag, longFlags } from "./headless_flags.ts";

Deno.test("helpHasFlag: listed flags only, not prefixes of longer ones", () => {
  const help =
    "  -p, --print   print\n  --output-format <f>\n  --allowedTools, --allowed-tools <t...>\n  [--resume=<id>]";
  for (const f of ["--print", "--output-format", "--allowed-tools", "--allowedTools", "--resume"]) {
    assert.equal(helpHasFlag(help, f), true, f);
  }
  assert.equal(helpHasFlag(help, "--output"), false);
  assert.equal(helpHasFlag(help, "--allowed"), false);
});

Deno.test("headlessFlags: the long flags the adapter passes, short ones by their long names", async () => {
  const [claude] = await headlessFlags(claudeProfile);
  assert.deepEqual(claude!.args, ["--help"]);
  assert.deepEqual([...claude!.flags].sort(), [
    "--add-dir",
    "--allowedTools",
    "--dangerously-skip-permissions",
    "--model",
    "--output-format",
    "--permission-mode",
    "--print",
    "--resume",
    "--settings",
    "--verbose",
  ]);
});

Deno.test("headlessFlags: codex's fresh launch and resume are read from their own --help", async () => {
  const [exec, resume] = await headlessFlags(codexProfile);
  assert.deepEqual(exec, {
    args: ["exec", "--help"],
    // read and edit run the relay over `codex app-server`, whose only codex flags are `-c`
    flags: ["--config", "--json", "--skip-git-repo-check", "--model"],
    commands: ["resume"],
  });
  assert.deepEqual(resume, {
    args: ["exec", "resume", "--help"],
    flags: ["--config", "--json", "--skip-git-repo-check", "--model"],
    commands: [],
  });
});

Deno.test("headlessFlags: a tier the CLI refuses adds nothing; every short flag has a long name", async () => {
  const [cursor] = await headlessFlags(cursorProfile);
  assert.ok(cursor!.flags.includes("--force") && cursor!.flags.includes("--print"));
  for (const profile of CLI_PROFILES) {
    for (const h of await headlessFlags(profile)) {
      assert.deepEqual(
        h.flags.filter((f) => !f.startsWith("--")),
        [],
        `${profile.name}: a short flag without a long name`,
      );
    }
  }
  assert.deepEqual(longFlags(["-p", "--model=x", "--model", "value", "--force"]), ["--model", "--force"]);
});
