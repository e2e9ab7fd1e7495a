import assert from "node:assert/strict";
import { main } from "../main.ts";
import { fakeClis, testCtx } from "../../test/config_helpers.ts";
import { scoped } from "../config/test_scope.ts";

const CODEX_LIST = `case "$1 $2" in
  "debug models") echo '{"models":[{"slug":"gpt-6-astra","visibility":"list","priority":1},{"slug":"gpt-5.5","visibility":"list","priority":2}]}';;
esac`;

Deno.test("config init: writes once from the CLIs found, then keeps the file", async () => {
  await using fake = scoped(await fakeClis({ claude: "exit 0", codex: CODEX_LIST }));
  await using ctx = scoped(await testCtx({ path: [fake.dir] }));
  assert.equal(await main(ctx, ["config", "init"]), 0);
  assert.equal(
    ctx.out.join(""),
    `Wrote ${ctx.home}/config.yaml: worker CLIs claude, codex; 7 model(s); default opus.\n`,
  );
  const text = await Deno.readTextFile(`${ctx.home}/config.yaml`);
  assert.match(text, /^ {2}gpt-6-astra: +\{ backend: codex \}$/m);
  ctx.out.length = 0;
  await Deno.writeTextFile(`${ctx.home}/config.yaml`, text + "# my note\n");
  assert.equal(await main(ctx, ["config", "init"]), 0);
  assert.match(ctx.out.join(""), /^Kept .*config\.yaml: it already exists/);
  assert.match(await Deno.readTextFile(`${ctx.home}/config.yaml`), /# my note\n$/);
});

Deno.test("config add-model|alias|default|remove: edit, report, keep a backup", async () => {
  await using ctx = scoped(await testCtx());
  const path = `${ctx.home}/config.yaml`;
  const original = "# mine\ndefault: a  # keep\nmodels:\n  a: { backend: scripted }  # first\naliases: {}\n";
  await Deno.writeTextFile(path, original);
  assert.equal(await main(ctx, ["config", "add-model", "b", "--backend", "scripted", "--id", "b-2"]), 0);
  assert.equal(
    ctx.out.at(-1),
    `Added model b (scripted, id b-2). Saved ${path} (previous version: ${path}.bak).\n`,
  );
  assert.equal(await Deno.readTextFile(`${path}.bak`), original);
  assert.equal(
    await main(ctx, ["config", "alias", "r", "--model", "b", "--prompt", "Be terse.", "--tier", "read"]),
    0,
  );
  assert.equal(await main(ctx, ["config", "default", "r"]), 0);
  assert.equal(await main(ctx, ["config", "remove", "a"]), 0);
  assert.equal(
    await Deno.readTextFile(path),
    '# mine\ndefault: r  # keep\nmodels:\n  b: { backend: scripted, model: b-2 }\naliases:\n  r:\n    model: b\n    prompt: "Be terse."\n    tier: read\n',
  );
  assert.equal(await main(ctx, ["config", "remove", "b"]), 65);
  assert.match(ctx.err.at(-1)!, /^dispatch: Cannot remove model 'b': used by alias r/);
  assert.equal(await main(ctx, ["config", "show"]), 0);
  assert.equal(JSON.parse(ctx.out.at(-1)!).aliases.r.tier, "read");
  assert.equal(await main(ctx, ["config", "path"]), 0);
  assert.equal(ctx.out.at(-1), `${path}\n`);
});

Deno.test("config: usage errors change nothing", async () => {
  await using ctx = scoped(await testCtx());
  const path = `${ctx.home}/config.yaml`;
  const original = "models:\n  a: { backend: scripted }\n";
  await Deno.writeTextFile(path, original);
  const cases: [string[], number, RegExp][] = [
    [["config"], 2, /Missing config command/],
    [["config", "frobnicate"], 2, /Unknown config command: 'frobnicate'/],
    [["config", "add-model", "x"], 2, /Missing --backend/],
    [["config", "add-model", "--backend", "scripted"], 2, /Missing NAME/],
    [["config", "default", "a", "--backend", "x"], 2, /--backend does not apply to 'config default'/],
    [["config", "alias", "r", "--model", "a", "--tier", "root"], 2, /Invalid --tier: 'root'/],
    [["config", "remove", "a", "b"], 2, /Too many arguments: b/],
    [["config", "add-model", "x", "--backend", "nope"], 65, /Unknown backend: 'nope'/],
    [["config", "remove", "zz"], 66, /No model or alias named 'zz'/],
  ];
  for (const [args, code, message] of cases) {
    ctx.err.length = 0;
    assert.equal(await main(ctx, args), code, args.join(" "));
    assert.match(ctx.err.join(""), message, args.join(" "));
  }
  assert.equal(await Deno.readTextFile(path), original);
  assert.equal(await Deno.stat(`${path}.bak`).then(() => true, () => false), false);
});
