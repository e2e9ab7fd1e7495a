import assert from "node:assert/strict";
import { ConfigError, NotFoundError } from "../errors.ts";
import { tempDir } from "../../test/temp_dir.ts";
import { MAX_CONFIG_BYTES, readConfigText, readRegular, RefusedFile } from "./read.ts";
import { readAtMost } from "../store/fsx.ts";

/** An endless source of zeros, like /dev/zero, that counts what it handed out. */
function endless(): { read(p: Uint8Array): Promise<number>; given: number } {
  const source = {
    given: 0,
    read(p: Uint8Array): Promise<number> {
      p.fill(0);
      source.given += p.length;
      return Promise.resolve(p.length);
    },
  };
  return source;
}

Deno.test("readAtMost: an endless input is read up to the limit and no further", async () => {
  const zero = endless();
  const bytes = await readAtMost(zero, MAX_CONFIG_BYTES + 1);
  assert.equal(bytes.length, MAX_CONFIG_BYTES + 1);
  assert.equal(zero.given, MAX_CONFIG_BYTES + 1, "not a byte more was asked for");
});

Deno.test("readAtMost: a short input is read whole, through short reads", async () => {
  const chunks = [new Uint8Array([1, 2]), new Uint8Array([3])];
  const reader = {
    read(p: Uint8Array): Promise<number | null> {
      const next = chunks.shift();
      if (!next) return Promise.resolve(null);
      p.set(next);
      return Promise.resolve(next.length);
    },
  };
  assert.deepEqual([...await readAtMost(reader, 10)], [1, 2, 3]);
});

Deno.test("readRegular: a regular file within the limit, with the info it was read under", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/c.yaml`, "a: 1\n");
  const { bytes, info } = await readRegular(`${dir.path}/c.yaml`, 5);
  assert.equal(new TextDecoder().decode(bytes), "a: 1\n");
  assert.equal(info.isFile, true);
  await assert.rejects(
    readRegular(`${dir.path}/c.yaml`, 4),
    (e) => e instanceof RefusedFile && /is 5 bytes \(at most 4\)/.test(e.message),
  );
  await assert.rejects(readRegular(`${dir.path}/none`, 4), Deno.errors.NotFound);
});

Deno.test("readConfigText: refusals are ConfigErrors, a missing file a NotFoundError", async () => {
  await using dir = await tempDir();
  await assert.rejects(
    readConfigText(`${dir.path}/config.yaml`),
    (e) => e instanceof NotFoundError && /dispatch config init/.test(e.message),
  );
  await Deno.mkdir(`${dir.path}/config.yaml`);
  await assert.rejects(
    readConfigText(`${dir.path}/config.yaml`),
    (e) => e instanceof ConfigError && /is a directory/.test(e.message),
  );
});
