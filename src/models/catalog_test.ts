import assert from "node:assert/strict";
import { catalogNames, readCatalog, writeCatalog } from "./catalog.ts";
import { CATALOG } from "./resolve_fixtures.ts";

Deno.test("catalogNames: installed CLIs' models and the bare names of provider/model ids", () => {
  const names = catalogNames(CATALOG);
  assert.ok(names.includes("glm-4.6") && names.includes("zai/glm-4.6") && names.includes("gpt-5.5"));
  assert.equal(catalogNames(undefined).length, 0);
});

Deno.test("readCatalog/writeCatalog: round trip; a corrupt cache reads as none", async () => {
  const home = await Deno.makeTempDir();
  try {
    assert.equal(await readCatalog(home), undefined);
    await writeCatalog(home, CATALOG);
    assert.deepEqual(await readCatalog(home), CATALOG);
    await Deno.writeTextFile(`${home}/.models.cache.json`, "{not json");
    assert.equal(await readCatalog(home), undefined);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
