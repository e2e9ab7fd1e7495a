import assert from "node:assert/strict";
import { main } from "../main.ts";
import { fakeClis, testCtx } from "../../test/config_helpers.ts";
import { scoped } from "../config/test_scope.ts";

const CONFIG = `# my models
default: opus
models:
  # Claude
  opus: { backend: claude }
  sonnet: { backend: claude }
aliases:
  reviewer: { model: opus, prompt: "Review carefully.", tier: read }
`;

const CODEX = `echo "$*" >> "$(dirname "$0")/calls"
case "$1 $2" in
  "debug models") echo '{"models":[{"slug":"gpt-6-astra","visibility":"list"}]}';;
esac`;

async function setup() {
  const fake = await fakeClis({ claude: "exit 0", codex: CODEX });
  const ctx = await testCtx({ path: [fake.dir] });
  await Deno.writeTextFile(`${ctx.home}/config.yaml`, CONFIG);
  return {
    ctx,
    fake,
    calls: () => Deno.readTextFile(`${fake.dir}/calls`).catch(() => ""),
    json: () => JSON.parse(ctx.out.at(-1)!),
    cleanup: async () => {
      await ctx.cleanup();
      await fake.cleanup();
    },
  };
}

Deno.test("resolve --json: the choice, its backend, and every mention", async () => {
  await using t = scoped(await setup());
  assert.equal(await main(t.ctx, ["resolve", "--json", "have opus review, then reviewer audit it"]), 0);
  assert.deepEqual(t.json(), {
    choice: "reviewer",
    model: "opus",
    alias: "reviewer",
    backend: "claude",
    model_id: "opus",
    tier: "read",
    prompt: "Review carefully.",
    source: "named",
    needs_confirmation: false,
    mentions: [
      {
        text: "opus",
        index: 5,
        kind: "model",
        name: "opus",
        negated: false,
        why: "after 'have'",
        model: "opus",
        alias: null,
        backend: "claude",
        model_id: "opus",
        added: false,
        error: null,
      },
      {
        text: "reviewer",
        index: 23,
        kind: "alias",
        name: "reviewer",
        negated: false,
        why: "listed with an earlier name",
        model: "opus",
        alias: "reviewer",
        backend: "claude",
        model_id: "opus",
        added: false,
        error: null,
      },
    ],
    added: [],
    config_changed: false,
  });
  assert.equal(await t.calls(), "", "no CLI runs for configured names");
});

Deno.test("resolve: nothing named means the default, to be confirmed", async () => {
  await using t = scoped(await setup());
  assert.equal(await main(t.ctx, ["resolve", "--json", "write", "a", "haiku", "about", "cats"]), 0);
  const r = t.json();
  assert.equal(r.choice, "opus");
  assert.equal(r.source, "default");
  assert.equal(r.needs_confirmation, true);
  assert.deepEqual(r.mentions, []);
});

Deno.test("resolve: a name found through discovery is added to config.yaml, comments kept", async () => {
  await using t = scoped(await setup());
  assert.equal(await main(t.ctx, ["resolve", "--json", "--dry-run", "use gpt-6-astra for this"]), 0);
  assert.deepEqual(t.json().added, [{
    name: "gpt-6-astra",
    backend: "codex",
    model_id: null,
    how: "listed",
  }]);
  assert.equal(await Deno.readTextFile(`${t.ctx.home}/config.yaml`), CONFIG, "--dry-run changes nothing");
  assert.equal(await main(t.ctx, ["resolve", "--json", "use gpt-6-astra for this"]), 0);
  assert.equal(t.json().config_changed, true);
  assert.equal(t.json().backend, "codex");
  const text = await Deno.readTextFile(`${t.ctx.home}/config.yaml`);
  assert.match(text, /^# my models\n/);
  assert.match(
    text,
    / {2}# Claude\n {2}opus: \{ backend: claude \}\n {2}sonnet: \{ backend: claude \}\n {2}gpt-6-astra: \{ backend: codex \}\n/,
  );
  // the first run cached the catalog: the second asked no CLI again
  assert.equal((await t.calls()).trim().split("\n").length, 1);
});

Deno.test("resolve: unknown everywhere is exit 65 with what is available", async () => {
  await using t = scoped(await setup());
  assert.equal(await main(t.ctx, ["resolve", "use gemini-9-ultra please"]), 65);
  assert.match(
    t.ctx.err.join(""),
    /^dispatch: Unknown model: 'gemini-9-ultra' \(available: opus, sonnet, reviewer; not in config\.yaml, and no installed CLI lists or takes it: see 'dispatch models'\)\n$/,
  );
  assert.equal(await main(t.ctx, ["resolve"]), 2);
});

Deno.test("resolve: with no config yet, first-run setup writes one", async () => {
  await using t = scoped(await setup());
  await Deno.remove(`${t.ctx.home}/config.yaml`);
  assert.equal(await main(t.ctx, ["resolve", "--json", "ask sonnet to fix it"]), 0);
  assert.equal(t.json().choice, "sonnet");
  assert.match(await Deno.readTextFile(`${t.ctx.home}/config.yaml`), /gpt-6-astra: +\{ backend: codex \}/);
});

Deno.test("resolve: one line for the host, the start flag first", async () => {
  await using t = scoped(await setup());
  const line = async (...args: string[]) => {
    assert.equal(await main(t.ctx, ["resolve", ...args]), 0);
    return t.ctx.out.at(-1)!;
  };
  assert.equal(
    await line("have opus review, then reviewer audit it"),
    "--alias reviewer (opus on claude, tier read)\n",
  );
  assert.equal(await line("ask sonnet to fix it"), "--model sonnet (claude)\n");
  assert.equal(
    await line("write a haiku about cats"),
    "--model opus (claude) default: nothing named, ask the user first\n",
  );
  assert.equal(
    await line("--dry-run", "use gpt-6-astra for this"),
    "--model gpt-6-astra (codex) [not in config.yaml: --dry-run]\n",
  );
  assert.equal(
    await line("use gpt-6-astra for this"),
    "--model gpt-6-astra (codex) [added to config.yaml]\n",
  );
});
