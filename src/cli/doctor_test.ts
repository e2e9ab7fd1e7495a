import assert from "node:assert/strict";
import { main } from "../main.ts";
import { fakeClis, testCtx } from "../../test/config_helpers.ts";
import { scoped } from "../config/test_scope.ts";

const CLAUDE = `case "$1" in
  --version) echo "2.1.330 (Claude Code)";;
  auth) echo '{"loggedIn": false}'; exit 1;;
  --help) for f in --print --output-format --verbose --model --resume --permission-mode --add-dir --allowedTools --dangerously-skip-permissions --settings; do echo "  $f <x>  text"; done;;
esac`;

Deno.test("doctor: one ✓/✗ line per check, exit 1 when a backend is not ready; --json", async () => {
  await using fake = scoped(await fakeClis({ claude: CLAUDE }));
  await using ctx = scoped(await testCtx({ path: [fake.dir] }));
  await Deno.writeTextFile(
    `${ctx.home}/config.yaml`,
    "backends:\n  claude: { type: claude }\n  codex: { type: codex }\n  scripted: { type: scripted }\nmodels:\n  opus: { backend: claude }\n",
  );
  assert.equal(await main(ctx, ["doctor"]), 1);
  const lines = ctx.out.join("").trimEnd().split("\n");
  assert.deepEqual(lines.map((l) => l.slice(0, 28).trimEnd()), [
    "✓ claude    installed",
    "✓ claude    version",
    "✗ claude    authenticated",
    "✓ claude    headless flags",
    "✗ codex     installed",
    "- codex     version",
    "- codex     authenticated",
    "- codex     headless flags",
    "✓ scripted  built in",
    "1 of 3 backend(s) ready; not",
  ]);
  assert.match(lines[2]!, /Fix: run 'claude auth login'/);
  assert.match(lines[4]!, /Fix: install it: npm install -g @openai\/codex/);

  ctx.out.length = 0;
  assert.equal(await main(ctx, ["doctor", "scripted", "--json"]), 0);
  const json = JSON.parse(ctx.out.join(""));
  assert.equal(json.ok, true);
  assert.deepEqual(json.backends.map((b: { backend: string }) => b.backend), ["scripted"]);
  assert.equal(await main(ctx, ["doctor", "nope"]), 2);
  assert.match(ctx.err.at(-1)!, /Unknown backend: nope \(configured: claude, codex, scripted\)/);
});

Deno.test("doctor: without a config, checks the CLIs found on PATH", async () => {
  await using fake = scoped(await fakeClis({ claude: CLAUDE }));
  await using ctx = scoped(await testCtx({ path: [fake.dir] }));
  assert.equal(await main(ctx, ["doctor"]), 1);
  const text = ctx.out.join("");
  assert.match(text, /^No config\.yaml yet: checking the worker CLIs on PATH/);
  assert.match(text, /^✓ claude +installed/m);
  assert.doesNotMatch(text, /codex/);
});
