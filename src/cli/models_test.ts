import assert from "node:assert/strict";
import { main } from "../main.ts";
import { fakeClis, testCtx } from "../../test/config_helpers.ts";
import { scoped } from "../config/test_scope.ts";

const OPENCODE = `echo "$*" >> "$(dirname "$0")/calls"
[ "$1" = models ] && printf 'opencode/big-pickle\\nzai/glm-4.6\\n'`;

Deno.test("models: per installed CLI, listed or documented, '*' for those in config; cached", async () => {
  await using fake = scoped(await fakeClis({ claude: "exit 0", opencode: OPENCODE }));
  await using ctx = scoped(await testCtx({ path: [fake.dir] }));
  await Deno.writeTextFile(
    `${ctx.home}/config.yaml`,
    "models:\n  opus: { backend: claude }\n  glm: { backend: opencode, model: zai/glm-4.6 }\n",
  );
  assert.equal(await main(ctx, ["models"]), 0);
  const text = ctx.out.join("");
  assert.match(
    text,
    new RegExp(
      `^claude: ${fake.dir}/claude, 4 model\\(s\\), documented names \\(Claude Code has no list command\\)\\n  opus \\*, sonnet, haiku, fable\\n`,
      "m",
    ),
  );
  assert.match(
    text,
    /^opencode: .*, 2 model\(s\), listed by 'opencode models'\n {2}opencode\/big-pickle, zai\/glm-4\.6 \*\n/m,
  );
  assert.match(text, /^codex: not installed \(codex not on PATH\)$/m);
  assert.match(text, /^cursor: not installed \(agent or cursor-agent not on PATH\)$/m);
  assert.equal(await main(ctx, ["models", "--json"]), 0);
  const catalog = JSON.parse(ctx.out.at(-1)!);
  assert.deepEqual(catalog.clis.find((c: { backend: string }) => c.backend === "opencode").models, [
    "opencode/big-pickle",
    "zai/glm-4.6",
  ]);
  const calls = async () => (await Deno.readTextFile(`${fake.dir}/calls`)).trim().split("\n").length;
  assert.equal(await calls(), 1, "the second run used the cache");
  assert.equal(await main(ctx, ["models", "--refresh"]), 0);
  assert.equal(await calls(), 2);
  assert.equal(await main(ctx, ["models", "extra"]), 2);
});
