import assert from "node:assert/strict";
import { check, importsOf, resolveImport } from "./layers.ts";

const messages = (files: Record<string, string>) =>
  check(new Map(Object.entries(files))).map((v) => `${v.file}: ${v.message}`);

Deno.test("importsOf() finds static, type, re-export, side-effect and dynamic imports, not comments", () => {
  const text = [
    'import { a } from "./a.ts";',
    'import type {\n  B,\n} from "../b/b.ts";',
    'export { c } from "./c.ts";',
    'import "./side.ts";',
    'const d = await import("../d.ts");',
    'import { z } from "zod";',
    '/** e.g. import { x } from "./nope.ts" */',
    '// import { y } from "./nope2.ts";',
  ].join("\n");
  assert.deepEqual(importsOf(text).sort(), ["../b/b.ts", "../d.ts", "./a.ts", "./c.ts", "./side.ts"]);
});

Deno.test("resolveImport() follows ./ and ../ from the importing file", () => {
  assert.equal(resolveImport("src/runtime/start.ts", "../store/paths.ts"), "src/store/paths.ts");
  assert.equal(resolveImport("src/main.ts", "./cli/start.ts"), "src/cli/start.ts");
});

Deno.test("check() accepts downward and same-folder imports", () => {
  assert.deepEqual(
    messages({
      "src/runtime/a.ts": 'import "../store/paths.ts";\nimport "./b.ts";\nimport "../errors.ts";',
      "src/main.ts": 'import "./cli/x.ts";',
      "src/duration.ts": 'import "./errors.ts";',
    }),
    [],
  );
});

Deno.test("check() refuses upward, peer, unplaced and outside-src imports", () => {
  assert.deepEqual(
    messages({
      "src/store/tasks.ts": 'import type { Config } from "../config/schema.ts";',
      "src/runtime/x.ts": 'import { d } from "../doctor/run.ts";',
      "src/store/y.ts": 'import "../mystery/z.ts";',
      "src/mystery/z.ts": "",
      "src/proc/w.ts": 'import "../../test/helpers.ts";',
    }),
    [
      "src/store/tasks.ts: imports ../config/schema.ts: src/config is on a higher layer than src/store",
      "src/runtime/x.ts: imports ../doctor/run.ts: src/doctor is on the same layer as src/runtime",
      "src/store/y.ts: imports ../mystery/z.ts: src/mystery is on no layer",
      "src/mystery/z.ts: src/mystery is on no layer: add it to LAYERS in tools/layers.ts",
      "src/proc/w.ts: imports ../../test/helpers.ts, outside src/",
    ],
  );
});

Deno.test("check() lets tests drive their unit from above but still bounds their size", () => {
  assert.deepEqual(messages({ "src/cli/x_test.ts": 'import "../main.ts";', "src/tier_test.ts": "" }), []);
  assert.deepEqual(messages({ "src/plan/big_test.ts": "x\n".repeat(301) }), [
    "src/plan/big_test.ts: 301 lines (limit 300): split it",
  ]);
  assert.deepEqual(messages({ "src/plan/ok.ts": "x\n".repeat(300) }), []);
});
