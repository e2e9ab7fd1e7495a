import assert from "node:assert/strict";
import { fakeClis } from "../../test/config_helpers.ts";
import { firstLine, runProbe, which } from "./probe.ts";

const ENV = { PATH: "/usr/bin:/bin" };

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

Deno.test("runProbe: exit code and both streams, stdin closed", async () => {
  const fake = await fakeClis({ cli: 'echo "out $1"; echo err >&2; cat; exit 3' });
  try {
    const r = await runProbe([`${fake.dir}/cli`, "x"], { env: ENV, timeoutMs: 10_000 });
    assert.equal(r.code, 3);
    assert.equal(r.stdout, "out x\n"); // `cat` saw EOF at once: stdin is not an open pipe
    assert.equal(r.stderr, "err\n");
    assert.equal(r.timedOut, false);
  } finally {
    await fake.cleanup();
  }
});

Deno.test("runProbe: a hung CLI and the process it started are killed at the time limit", async () => {
  const fake = await fakeClis({ hang: 'sleep 30 & echo "$!" > "$1"; echo started; sleep 30' });
  const pidFile = `${fake.dir}/child.pid`;
  try {
    const started = Date.now();
    const r = await runProbe([`${fake.dir}/hang`, pidFile], { env: ENV, timeoutMs: 500 });
    const took = Date.now() - started;
    assert.equal(r.timedOut, true);
    assert.equal(r.code, null);
    assert.equal(r.stdout, "started\n");
    assert.ok(took < 5000, `took ${took} ms`);
    const child = Number(await Deno.readTextFile(pidFile));
    for (let i = 0; i < 40 && alive(child); i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(alive(child), false, "the CLI's own child must not survive");
  } finally {
    await fake.cleanup();
  }
});

Deno.test("runProbe: a grandchild that keeps the pipes open in a new session does not hang it", async () => {
  const fake = await fakeClis({ leak: "setsid sleep 5 & echo done" });
  try {
    const started = Date.now();
    const r = await runProbe([`${fake.dir}/leak`], { env: ENV, timeoutMs: 700 });
    assert.ok(Date.now() - started < 4000);
    assert.match(r.stdout, /done/);
  } finally {
    await fake.cleanup();
  }
});

Deno.test("runProbe: a missing executable is reported, not thrown", async () => {
  const r = await runProbe(["/nonexistent/cli", "--version"], { env: ENV, timeoutMs: 1000 });
  assert.equal(r.notFound, true);
  assert.equal(r.code, null);
});

Deno.test("runProbe: output beyond maxBytes is dropped", async () => {
  const fake = await fakeClis({ flood: "head -c 100000 /dev/zero | tr '\\0' x" });
  try {
    const r = await runProbe([`${fake.dir}/flood`], { env: ENV, timeoutMs: 10_000, maxBytes: 1000 });
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, 1000);
  } finally {
    await fake.cleanup();
  }
});

Deno.test("which: finds executables on a PATH string, skips non-executable files", async () => {
  const fake = await fakeClis({ tool: "true" });
  try {
    await Deno.writeTextFile(`${fake.dir}/plain`, "not executable", { mode: 0o644 });
    assert.equal(await which("tool", `/nonexistent:${fake.dir}`), `${fake.dir}/tool`);
    assert.equal(await which("plain", fake.dir), undefined);
    assert.equal(await which("tool", ""), undefined);
    assert.equal(await which(`${fake.dir}/tool`, ""), `${fake.dir}/tool`);
  } finally {
    await fake.cleanup();
  }
});

Deno.test("firstLine: skips blank lines and codex's PATH-alias warning", () => {
  assert.equal(
    firstLine("WARNING: proceeding, even though we could not create PATH aliases\n\n codex-cli 0.169.0 \n"),
    "codex-cli 0.169.0",
  );
  assert.equal(firstLine(""), "");
});
