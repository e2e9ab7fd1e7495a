import assert from "node:assert/strict";
import { withLock } from "./lock.ts";

Deno.test("withLock() serialises critical sections within a process", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let inside = 0;
    let maxInside = 0;
    await Promise.all(Array.from({ length: 100 }, () =>
      withLock(`${dir}/l`, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 1));
        inside--;
      })));
    assert.equal(maxInside, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withLock() excludes another process holding the same lock file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const holder = new Deno.Command("flock", {
      args: [`${dir}/l`, "sh", "-c", "sleep 0.4"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await withLock(`${dir}/l`, () => Promise.resolve());
    assert.ok(Date.now() - t0 >= 200, `waited ${Date.now() - t0} ms for the other process`);
    await holder.status;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withLock() releases after a failing section", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(withLock(`${dir}/l`, () => Promise.reject(new Error("boom"))), /boom/);
    assert.equal(await withLock(`${dir}/l`, () => Promise.resolve(7)), 7);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
