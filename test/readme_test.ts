import assert from "node:assert/strict";
import { ROOT } from "./helpers.ts";
import { tierTableMarkdown } from "../src/backends/tiers.ts";

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

Deno.test("README: the two fresh-clone commands are there and match package.json", async () => {
  assert.match(readme, /^npm ci && npm run demo\b/m);
  assert.match(readme, /^npm test\b/m);
  const pkg = JSON.parse(await Deno.readTextFile(`${ROOT}/package.json`));
  assert.equal(pkg.scripts.demo, "bin/dispatch demo");
  assert.equal(pkg.scripts.test, "bash .ci/run");
});
