import assert from "node:assert/strict";
import { ConfigError, NotFoundError } from "../errors.ts";
import { testCtx } from "../../test/config_helpers.ts";
import { adapterFor } from "../backends/registry.ts";
import { loadConfig } from "../backends/config_file.ts";
import { resolveModel } from "../models/resolve.ts";
import { scoped } from "./test_scope.ts";
import { EARLIER_EXAMPLE } from "./earlier_example.ts";
import { importParsers, parseConfigText } from "./load.ts";

Deno.test("loadConfig: the earlier dispatch's example config loads unchanged", async () => {
  await using ctx = scoped(await testCtx());
  await Deno.writeTextFile(`${ctx.home}/config.yaml`, EARLIER_EXAMPLE);
  const config = await loadConfig(ctx.home);
  assert.equal(config.default, "opus");
  assert.equal(
    config.backends.claude!.command,
    "env -u CLAUDE_CODE_ENTRYPOINT -u CLAUDECODE claude -p --dangerously-skip-permissions\n",
  );
  assert.equal(config.backends.cursor!.command, 'agent -p --force --workspace "$(pwd)"\n');
  assert.deepEqual(Object.keys(config.models), [
    "opus",
    "sonnet",
    "haiku",
    "gpt-5.3-codex-xhigh-fast",
    "gpt-5.3-codex",
    "gemini-3.1-pro",
    "composer-1.5",
  ]);
  assert.deepEqual(config.aliases.quick, { model: "sonnet" });
  const reviewer = resolveModel(config, "security-reviewer");
  assert.equal(reviewer.backend, "claude");
  assert.match(reviewer.prompt!, /^You are a security-focused reviewer\. Prioritize OWASP Top 10 vuln/);
  // a backend given only as a shell command runs through the generic command adapter
  assert.equal((await adapterFor(config, "claude")).name, "command");
  assert.equal((await adapterFor(config, resolveModel(config, "gpt-5.3-codex").backend)).name, "command");
});

Deno.test("loadConfig: cached while unchanged, re-read when the file changes", async () => {
  await using ctx = scoped(await testCtx());
  const path = `${ctx.home}/config.yaml`;
  await Deno.writeTextFile(path, "default: a\nmodels:\n  a: { backend: scripted }\n");
  assert.equal((await loadConfig(ctx.home)).default, "a");
  const cache = JSON.parse(await Deno.readTextFile(`${ctx.home}/.config.cache.json`));
  assert.equal(cache.config.default, "a");
  await Deno.writeTextFile(path, "default: bb\nmodels:\n  bb: { backend: scripted }\n");
  assert.equal((await loadConfig(ctx.home)).default, "bb");
});

Deno.test("loadConfig: empty sections load as empty; errors name the file and the field", async () => {
  await using ctx = scoped(await testCtx());
  const path = `${ctx.home}/config.yaml`;
  await Deno.writeTextFile(path, "default:\nbackends:\nmodels:\naliases:\n");
  const empty = await loadConfig(ctx.home);
  assert.deepEqual([empty.default, empty.backends, empty.models, empty.aliases], [undefined, {}, {}, {}]);
  await Deno.writeTextFile(
    path,
    "models:\n  a: { backend: scripted }\naliases:\n  r: { model: a, tier: root }\n",
  );
  await assert.rejects(
    loadConfig(ctx.home),
    (e) => e instanceof ConfigError && e.message.includes(path) && /aliases\.r\.tier/.test(e.message),
  );
  await Deno.remove(path);
  await assert.rejects(
    loadConfig(ctx.home),
    (e) => e instanceof NotFoundError && /dispatch config init/.test(e.message),
  );
});

Deno.test("parseConfigText: permissions at the top and under an alias; a bad rule is one line with its path", async () => {
  const parsers = await importParsers();
  const ok = parseConfigText(
    "models: { m: { backend: claude } }\naliases: { a: { model: m, permissions: { deny: [curl *] } } }\n" +
      "permissions: { allow: [npm test, git diff *] }\n",
    "c.yaml",
    parsers,
    ["claude"],
  );
  assert.deepEqual(ok.permissions, { allow: ["npm test", "git diff *"] });
  assert.deepEqual(ok.aliases.a!.permissions, { deny: ["curl *"] });
  assert.throws(
    () => parseConfigText("permissions: { allow: ['npm test; rm -rf ~'] }\n", "c.yaml", parsers, ["claude"]),
    /Invalid config in c\.yaml: permissions\.allow\.0: 'npm test; rm -rf ~' has ';'/,
  );
  assert.throws(
    () => parseConfigText("permissions: { allow: ['dispatch cancel *'] }\n", "c.yaml", parsers, []),
    /permissions\.allow\.0: 'dispatch cancel \*' runs dispatch/,
  );
});
