import assert from "node:assert/strict";
import { createExclusive, readJsonOrUndefined, writeJsonAtomic } from "./fsx.ts";

Deno.test("createExclusive() lets exactly one of many racing writers win", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => createExclusive(`${dir}/a.json`, `${i}`)),
    );
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true);
    assert.equal(await Deno.readTextFile(`${dir}/a.json`), `${winner}`);
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name),
      ["a.json"],
      "no temp files left",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeJsonAtomic() replaces whole files with mode 0600", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeJsonAtomic(`${dir}/s.json`, { a: 1 });
    await writeJsonAtomic(`${dir}/s.json`, { a: 2 });
    assert.deepEqual(await readJsonOrUndefined(`${dir}/s.json`), { a: 2 });
    assert.equal((await Deno.stat(`${dir}/s.json`)).mode! & 0o777, 0o600);
    assert.equal(await readJsonOrUndefined(`${dir}/none.json`), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
