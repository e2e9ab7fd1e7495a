import assert from "node:assert/strict";
import { ROOT } from "./helpers.ts";
import { rulesTableMarkdown, tierTableMarkdown } from "../src/backends/tiers.ts";
import { LAYERS } from "../tools/layers.ts";
import { testCtx } from "./fake_ctx.ts";

const readme = await Deno.readTextFile(`${ROOT}/README.md`);

/** A markdown table's cells, ignoring the padding a formatter adds. */
function cells(table: string): string[][] {
  return table.trim().split("\n").map((line) =>
    line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim().replace(/^-+$/, "---"))
  );
}

Deno.test("README: the tier table is the one the adapters use", () => {
  const start = readme.indexOf("-->", readme.indexOf("<!-- tier-table:start")) + 3;
  const end = readme.indexOf("<!-- tier-table:end -->");
  assert.deepEqual(cells(readme.slice(start, end)), cells(tierTableMarkdown()));
});

Deno.test("README: the rule table is the one the adapters use", () => {
  const start = readme.indexOf("-->", readme.indexOf("<!-- rules-table:start")) + 3;
  const end = readme.indexOf("<!-- rules-table:end -->");
  assert.ok(start > 2 && end > start, "the README has a rules table");
  assert.deepEqual(cells(readme.slice(start, end)), cells(rulesTableMarkdown()));
});

Deno.test("README: the two fresh-clone commands are there and match package.json", async () => {
  assert.match(readme, /^npm ci && npm run demo\b/m);
  assert.match(readme, /^npm test\b/m);
  const pkg = JSON.parse(await Deno.readTextFile(`${ROOT}/package.json`));
  assert.equal(pkg.scripts.demo, "bin/dispatch demo");
  assert.equal(pkg.scripts.test, "bash .ci/run");
});

Deno.test("README: the Development section's layer table is tools/layers.ts's, and names every folder of src/", () => {
  const section = readme.slice(readme.indexOf("## Development"), readme.indexOf("## Figures"));
  const rows = cells(
    section.slice(section.indexOf("| layer |"), section.indexOf("\n\n", section.indexOf("| layer |"))),
  )
    .slice(2)
    .map(([layer, units]) =>
      [Number(layer), [...units!.matchAll(/`([^`]+?)\/?`/g)].map((m) => m[1]!)] as const
    );
  const fromReadme = new Map<number, string[]>();
  for (const [layer, units] of rows) fromReadme.set(layer, [...(fromReadme.get(layer) ?? []), ...units]);
  assert.deepEqual(
    [...fromReadme.entries()].map(([i, u]) => [i, u.toSorted()]),
    LAYERS.map((units, i) => [i, units.toSorted()]),
  );
  const folders = [...Deno.readDirSync(`${ROOT}/src`)].filter((e) => e.isDirectory).map((e) => e.name);
  for (const f of folders) assert.ok(LAYERS.flat().includes(f), `src/${f} is in the layer table`);
});

Deno.test("README: every dispatch command the Results section shows exists and takes the flags it shows", async () => {
  const section = readme.slice(readme.indexOf("## Results"), readme.indexOf("## Worker CLIs"));
  const commands = [...section.matchAll(/```(?:sh)?\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split("\n"))
    .filter((l) => /^dispatch (diff|merge|status|gc|resume)\b/.test(l));
  assert.ok(commands.length >= 2, "the section shows diff and merge");
  const { main } = await import("../src/main.ts");
  for (const line of commands) {
    const [, name] = line.split(" ");
    await using ctx = await testCtx();
    assert.equal(await main(ctx, [name!, "--help"]), 0, line);
    for (const flag of line.match(/ --[a-z-]+/g) ?? []) {
      assert.ok(ctx.out.join("").includes(flag.trim()), `${line}: ${flag} is in dispatch ${name} --help`);
    }
  }
});
