import assert from "node:assert/strict";
import { catalogNames, readCatalog, writeCatalog } from "./catalog.ts";
import { CATALOG } from "./resolve_fixtures.ts";
import { tempDir } from "../../test/temp_dir.ts";

Deno.test("catalogNames: installed CLIs' models and the bare names of provider/model ids", () => {
  const names = catalogNames(CATALOG);
  assert.ok(names.includes("glm-4.6") && names.includes("zai/glm-4.6") && names.includes("gpt-5.5"));
  assert.equal(catalogNames(undefined).length, 0);
});

Deno.test("readCatalog/writeCatalog: round trip; a corrupt cache reads as none", async () => {
  await using homeDir = await tempDir();
  const home = homeDir.path;
  assert.equal(await readCatalog(home), undefined);
  await writeCatalog(home, CATALOG);
  assert.deepEqual(await readCatalog(home), CATALOG);
  await Deno.writeTextFile(`${home}/.models.cache.json`, "{not json");
  assert.equal(await readCatalog(home), undefined);
});
