import assert from "node:assert/strict";
import {
  createExclusive,
  openAppend,
  prepareAppend,
  readJsonOrUndefined,
  writeAtomic,
  writeJsonAtomic,
} from "./fsx.ts";
import { UnsafePathError } from "./safe_path.ts";
import { tempDir } from "../../test/temp_dir.ts";

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

Deno.test("writeAtomic() and createExclusive() take no name a planted link holds, and leave no temp file", async () => {
  await using dir = await tempDir();
  const outside = `${dir.path}/outside`;
  await Deno.writeTextFile(outside, "mine");
  await Deno.mkdir(`${dir.path}/home`);
  const file = `${dir.path}/home/s.json`;
  for (let n = 1; n <= 20; n++) await Deno.symlink(outside, `${file}.${Deno.pid}.${n}.tmp`);
  await Deno.symlink(outside, file);
  await writeAtomic(file, "new");
  assert.equal(await Deno.readTextFile(outside), "mine");
  assert.ok((await Deno.lstat(file)).isFile);
  assert.equal(await createExclusive(file, "again"), false);
  const names = (await Array.fromAsync(Deno.readDir(`${dir.path}/home`))).map((e) => e.name);
  assert.deepEqual(names.filter((n) => /^s\.json\.[0-9a-f-]{36}\.tmp$/.test(n)), [], "no random temp left");
  assert.equal(names.length, 21, "only the planted links and the file");
});

Deno.test("openAppend() refuses a link or second name, or discards it when asked; creates 0600", async () => {
  await using dir = await tempDir();
  const outside = `${dir.path}/outside`;
  await Deno.writeTextFile(outside, "mine");
  const path = `${dir.path}/log`;
  await Deno.symlink(outside, path);
  await assert.rejects(() => openAppend(path), UnsafePathError);
  (await openAppend(path, "discard")).close();
  assert.equal((await Deno.lstat(path)).mode! & 0o777, 0o600);
  await Deno.remove(path);
  await Deno.link(outside, path);
  await assert.rejects(() => openAppend(path), /hard link/);
  assert.equal(await prepareAppend(path), 0);
  assert.equal(await Deno.readTextFile(outside), "mine");
});
