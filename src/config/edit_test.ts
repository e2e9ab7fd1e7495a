import assert from "node:assert/strict";
import { parseDocument } from "yaml";
import { ConfigError, InputError, NotFoundError } from "../errors.ts";
import { testCtx } from "../../test/config_helpers.ts";
import { addModel, backupPath, type Edit, removeName, setAlias, setDefault } from "./edit.ts";
import { editConfig, importParsers, loadConfig, parseConfig } from "../backends/config_file.ts";
import { BUILTIN_BACKENDS } from "../backends/registry.ts";
import { scoped } from "./test_scope.ts";
import { EARLIER_EXAMPLE } from "./earlier_example.ts";

/** The example config of the earlier dispatch, which edits must keep intact around their change. */
const SEED = EARLIER_EXAMPLE;

/** Applies an edit to text the way editConfig does, without files. */
async function apply(text: string, edit: Edit): Promise<string> {
  const parsers = await importParsers();
  const config = parseConfig(text, "before", parsers);
  const out = edit({ text, doc: parseDocument(text), config, builtins: BUILTIN_BACKENDS }).text;
  parseConfig(out, "after", parsers); // always valid
  return out;
}

/** The lines of `after` that are not in `before`, and those gone, as a compact diff. */
function lineDiff(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { removed: a.slice(start, endA), added: b.slice(start, endB) };
}

Deno.test("addModel: one aligned line after the last model of its backend; nothing else changes", async () => {
  const out = await apply(SEED, addModel("claude-opus-4-5", { backend: "claude" }));
  assert.deepEqual(lineDiff(SEED, out), { removed: [], added: ["  claude-opus-4-5: { backend: claude }"] });
  assert.ok(out.includes("  haiku:           { backend: claude }\n  claude-opus-4-5: { backend: claude }\n"));
  const short = await apply(SEED, addModel("o3", { backend: "cursor", id: "o3-high" }));
  assert.deepEqual(lineDiff(SEED, short).added, ["  o3:              { backend: cursor, model: o3-high }"]);
  assert.ok(short.includes("  composer-1.5:    { backend: cursor }\n  o3:"));
});

Deno.test("addModel: an existing model changes in place, keeping alignment and comments", async () => {
  const out = await apply(SEED, addModel("sonnet", { backend: "cursor", id: "sonnet-4.6" }));
  assert.deepEqual(lineDiff(SEED, out), {
    removed: ["  sonnet:          { backend: claude }"],
    added: ["  sonnet:          { backend: cursor, model: sonnet-4.6 }"],
  });
  const same = await apply(SEED, addModel("opus", { backend: "claude" }));
  assert.equal(same, SEED);
});

Deno.test("setAlias: new aliases go after the last one; a prompt makes a block", async () => {
  const flow = await apply(SEED, setAlias("fast", { model: "haiku", tier: "read" }));
  assert.deepEqual(lineDiff(SEED, flow), { removed: [], added: ["  fast: { model: haiku, tier: read }"] });
  assert.ok(flow.includes("    model: sonnet\n  fast: { model: haiku, tier: read }\n\n  # Example"));
  const block = await apply(
    SEED,
    setAlias("docs", { model: "sonnet", prompt: 'Write docs: "clear", short.' }),
  );
  assert.deepEqual(lineDiff(SEED, block).added, [
    "  docs:",
    "    model: sonnet",
    '    prompt: "Write docs: \\"clear\\", short."',
  ]);
  const config = parseConfig(block, "x", await importParsers());
  assert.equal(config.aliases.docs!.prompt, 'Write docs: "clear", short.');
});

Deno.test("setAlias: changing an alias keeps what is not given; --prompt '' removes the prompt", async () => {
  const parsers = await importParsers();
  const tiered = await apply(SEED, setAlias("security-reviewer", { tier: "read" }));
  const c = parseConfig(tiered, "x", parsers);
  assert.equal(c.aliases["security-reviewer"]!.tier, "read");
  assert.match(c.aliases["security-reviewer"]!.prompt!, /^You are a security-focused reviewer/);
  assert.ok(tiered.startsWith(SEED.slice(0, SEED.indexOf("  security-reviewer:"))));
  assert.ok(tiered.includes("\n  quick:\n    model: sonnet\n\n  # Example: GPT-based code reviewer\n"));
  const bare = await apply(SEED, setAlias("security-reviewer", { prompt: "" }));
  assert.equal(parseConfig(bare, "x", parsers).aliases["security-reviewer"]!.prompt, undefined);
});

Deno.test("setDefault: changes the value only; the comment on the line stays", async () => {
  const out = await apply(SEED, setDefault("quick"));
  assert.deepEqual(lineDiff(SEED, out), {
    removed: ["default: opus  # Default model (by name or alias)"],
    added: ["default: quick  # Default model (by name or alias)"],
  });
  const noDefault = SEED.replace("default: opus  # Default model (by name or alias)\n", "");
  const added = await apply(noDefault, setDefault("sonnet"));
  assert.equal(parseConfig(added, "x", await importParsers()).default, "sonnet");
  assert.ok(added.startsWith(noDefault));
});

Deno.test("removeName: removes exactly the entry's lines", async () => {
  const model = await apply(SEED, removeName("gpt-5.3-codex"));
  assert.deepEqual(lineDiff(SEED, model), { removed: ["  gpt-5.3-codex:   { backend: cursor }"], added: [] });
  const alias = await apply(SEED, removeName("quick"));
  assert.deepEqual(lineDiff(SEED, alias), { removed: ["  quick:", "    model: sonnet", ""], added: [] });
});

Deno.test("removeName: refuses a model an alias or the default uses, naming them and the fix", async () => {
  await assert.rejects(
    apply(SEED, removeName("opus")),
    (e) =>
      e instanceof InputError &&
      e.message ===
        "Cannot remove model 'opus': used by alias security-reviewer and the default (first run: dispatch config alias security-reviewer --model OTHER; dispatch config default OTHER)",
  );
  await assert.rejects(apply(SEED, removeName("sonnet")), /used by alias quick/);
  await assert.rejects(
    apply(SEED, removeName("nope")),
    (e) => e instanceof NotFoundError && /nope/.test(e.message),
  );
});

Deno.test("removeName: removing the last entry of a section leaves a valid empty mapping", async () => {
  const text =
    "default: a\nmodels:\n  a: { backend: scripted }\n  b: { backend: scripted }\naliases:\n  x: { model: b }\n";
  const out = await apply(text, removeName("x"));
  const c = parseConfig(out, "x", await importParsers());
  assert.deepEqual(c.aliases, {});
  assert.deepEqual(Object.keys(c.models), ["a", "b"]);
});

Deno.test("edits: bad input is refused with a clear error", async () => {
  await assert.rejects(
    apply(SEED, addModel("x", { backend: "nope" })),
    /Unknown backend: 'nope' \(configured or built in: claude, cursor, scripted/,
  );
  await assert.rejects(
    apply(SEED, addModel("bad name", { backend: "claude" })),
    /Invalid model name: 'bad name'/,
  );
  await assert.rejects(apply(SEED, addModel("quick", { backend: "claude" })), /'quick' is an alias/);
  await assert.rejects(apply(SEED, setAlias("opus", { model: "sonnet" })), /'opus' is a model/);
  await assert.rejects(
    apply(SEED, setAlias("r", { model: "gpt-9" })),
    /Unknown model: 'gpt-9'.*add-model gpt-9/,
  );
  await assert.rejects(apply(SEED, setAlias("r", {})), /Missing model/);
  await assert.rejects(apply(SEED, setDefault("gpt-9")), /Unknown model or alias: 'gpt-9'/);
});

Deno.test("edits: sections that are missing, empty or in flow style still get the entry", async () => {
  const parsers = await importParsers();
  const noAliases = "models:\n  a: { backend: scripted }\n";
  const c1 = parseConfig(await apply(noAliases, setAlias("x", { model: "a" })), "x", parsers);
  assert.equal(c1.aliases.x!.model, "a");
  const empty = "# top\nmodels:\naliases: {}\n";
  const out2 = await apply(empty, addModel("a", { backend: "scripted" }));
  assert.equal(out2, "# top\nmodels:\n  a: { backend: scripted }\naliases: {}\n");
  const flow = "# keep me\nmodels: { a: { backend: scripted } }\n";
  const out3 = await apply(flow, addModel("b", { backend: "scripted" }));
  assert.deepEqual(Object.keys(parseConfig(out3, "x", parsers).models), ["a", "b"]);
  assert.match(out3, /# keep me/);
});

Deno.test("editConfig: writes atomically, keeps a backup, refreshes the cache; bad input changes nothing", async () => {
  await using ctx = scoped(await testCtx());
  const path = `${ctx.home}/config.yaml`;
  await Deno.writeTextFile(path, SEED);
  await loadConfig(ctx.home); // warm the cache with the old file
  const r = await editConfig(ctx.home, addModel("gpt-6-astra", { backend: "cursor" }));
  assert.equal(r.changed, true);
  assert.equal(await Deno.readTextFile(backupPath(ctx.home)), SEED);
  assert.equal(r.config.models["gpt-6-astra"]!.backend, "cursor");
  assert.equal((await loadConfig(ctx.home)).models["gpt-6-astra"]!.backend, "cursor");
  const cache = JSON.parse(await Deno.readTextFile(`${ctx.home}/.config.cache.json`));
  assert.equal(cache.size, (await Deno.stat(path)).size);

  const before = await Deno.readTextFile(path);
  await Deno.remove(backupPath(ctx.home));
  await assert.rejects(editConfig(ctx.home, removeName("opus")), InputError);
  await assert.rejects(editConfig(ctx.home, addModel("x", { backend: "nope" })), InputError);
  assert.equal(await Deno.readTextFile(path), before);
  assert.equal(
    await Deno.stat(backupPath(ctx.home)).then(() => true, () => false),
    false,
    "no backup written",
  );

  const same = await editConfig(ctx.home, setDefault("opus"));
  assert.equal(same.changed, false);
});

Deno.test("editConfig: an invalid config on disk is reported, not overwritten", async () => {
  await using ctx = scoped(await testCtx());
  await Deno.writeTextFile(`${ctx.home}/config.yaml`, "models:\n  a: { backend: ghost }\n");
  await assert.rejects(
    editConfig(ctx.home, setDefault("a")),
    /models\.a\.backend: unknown backend 'ghost'/,
  );
  await assert.rejects(editConfig(`${ctx.home}/missing`, setDefault("a")), NotFoundError);
});

Deno.test("editConfig: a symlinked config.yaml is refused; the link and its target stay as they were", async () => {
  await using ctx = scoped(await testCtx());
  const target = `${ctx.home}/dotfiles-config.yaml`;
  await Deno.writeTextFile(target, SEED);
  await Deno.symlink(target, `${ctx.home}/config.yaml`);
  await assert.rejects(
    editConfig(ctx.home, setDefault("sonnet")),
    (e) =>
      e instanceof ConfigError &&
      /config\.yaml is a symlink \(only a regular file is read there/.test(e.message),
  );
  assert.equal((await Deno.lstat(`${ctx.home}/config.yaml`)).isSymlink, true);
  assert.equal(await Deno.readTextFile(target), SEED);
  assert.equal(await Deno.lstat(`${ctx.home}/config.yaml.bak`).then(() => true, () => false), false);
});

Deno.test("editConfig: concurrent edits do not lose each other", async () => {
  await using ctx = scoped(await testCtx());
  await Deno.writeTextFile(`${ctx.home}/config.yaml`, SEED);
  const names = Array.from({ length: 8 }, (_, i) => `model-${i}`);
  await Promise.all(names.map((n) => editConfig(ctx.home, addModel(n, { backend: "cursor" }))));
  const config = await loadConfig(ctx.home);
  for (const n of names) assert.equal(config.models[n]?.backend, "cursor", n);
  assert.match(await Deno.readTextFile(`${ctx.home}/config.yaml`), /# Claude \(use stable aliases/);
});
