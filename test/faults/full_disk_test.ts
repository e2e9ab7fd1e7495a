/**
 * Faults on a real full disk: a small tmpfs mounted as DISPATCH_HOME and
 * filled to the last byte. `cancel` stops the tree before it records (and
 * the cancel is recorded once space returns), `start` leaves no half-made
 * task, `answer` leaves no stray file, and each prints one line with an
 * exit code. Needs root (CI runs as root); skips with one line elsewhere.
 */
import assert from "node:assert/strict";
import { seedTask, type TestCtx, testCtx, until, useShellWorker } from "../fake_ctx.ts";
import { isAlive } from "../../src/proc/procfs.ts";
import { recordQuestion } from "../../src/store/questions.ts";
import { readState } from "../../src/store/tasks.ts";
import { taskPaths } from "../../src/store/paths.ts";
import { LATE_CANCEL_REASON } from "../../src/runtime/cancel.ts";
import { loadView } from "../../src/runtime/view.ts";
import { assertOneLine, cmd } from "./helpers.ts";

/** Mounts a `size` tmpfs on `dir`; the reason it could not, or undefined when mounted. */
async function mountTmpfs(dir: string, size = "1m"): Promise<string | undefined> {
  try {
    const r = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir],
      stdout: "null",
      stderr: "piped",
    }).output();
    return r.success ? undefined : new TextDecoder().decode(r.stderr).trim() || `mount exited ${r.code}`;
  } catch (e) {
    return String(e);
  }
}

async function umount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: ["-l", dir], stdout: "null", stderr: "null" }).output();
}

const probe = await Deno.makeTempDir({ prefix: "dispatch-tmpfs-probe-" });
const refused = await mountTmpfs(probe);
if (!refused) await umount(probe);
await Deno.remove(probe);
if (refused) console.log(`full_disk_test: skipped: cannot mount a tmpfs here (${refused}); run as root`);

/** A test ctx whose home is a fresh 1 MiB tmpfs; `fill()` uses up its last byte, `free()` gives it back. */
async function fullDiskCtx(): Promise<TestCtx & { fill(): Promise<void>; free(): Promise<void> }> {
  const ctx = await testCtx();
  const reason = await mountTmpfs(ctx.home);
  if (reason) throw new Error(reason);
  const filler = `${ctx.home}/filler`;
  const dispose = ctx[Symbol.asyncDispose];
  return Object.assign(ctx, {
    async fill() {
      using f = await Deno.open(filler, { write: true, create: true, append: true });
      const chunk = new Uint8Array(4096);
      try {
        while (true) await f.write(chunk);
      } catch {
        // ENOSPC: full
      }
      try {
        while (true) await f.write(chunk.subarray(0, 1));
      } catch {
        // the last byte gone
      }
    },
    async free() {
      await Deno.remove(filler);
    },
    async [Symbol.asyncDispose]() {
      await umount(ctx.home);
      await dispose();
    },
  });
}

function liveWorker(id: string): Deno.ChildProcess {
  return new Deno.Command("sleep", {
    args: ["60"],
    env: { DISPATCH_TASK: id },
    stdout: "null",
    stderr: "null",
  }).spawn();
}

Deno.test({
  name: "full disk: cancel stops the worker first, says so in one line, and is recorded once space returns",
  ignore: refused !== undefined,
  async fn() {
    await using ctx = await fullDiskCtx();
    const worker = liveWorker("full-0001");
    try {
      await seedTask(ctx, "full-0001", { state: { state: "running", pid: worker.pid } });
      await ctx.fill();
      const r = await cmd(ctx, ["cancel", "full-0001"]);
      assertOneLine(r.err, "cancel");
      assert.equal(r.code, 75, r.err);
      assert.match(
        r.err,
        /^dispatch: Stopped task full-0001's worker and its whole tree, but could not record/,
      );
      await until(() => !isAlive(worker.pid));
      await ctx.free();
      const view = await loadView(ctx, "full-0001");
      assert.equal(view.state.state, "cancelled");
      assert.equal(view.state.reason, LATE_CANCEL_REASON, "not 'Worker and its supervisor were killed'");
    } finally {
      try {
        worker.kill("SIGKILL");
      } catch {
        // stopped by the cancel
      }
      await worker.status;
    }
  },
});

Deno.test({
  name: "full disk: start prints one line and leaves no task folder",
  ignore: refused !== undefined,
  async fn() {
    await using ctx = await fullDiskCtx();
    await useShellWorker(ctx, "true");
    const plan = `${ctx.project}/plan.md`;
    await Deno.writeTextFile(plan, "- [ ] one\n");
    assert.equal((await cmd(ctx, ["config", "show"])).code, 0); // config cache written while there is room
    await Deno.mkdir(`${ctx.home}/tasks`, { recursive: true });
    await ctx.fill();
    const r = await cmd(ctx, ["start", "--title", "Full disk", "--plan", plan]);
    assertOneLine(r.err, "start");
    assert.equal(r.code, 70, r.err);
    assert.match(r.err, /^dispatch: Disk full: /);
    assert.deepEqual([...Deno.readDirSync(`${ctx.home}/tasks`)].map((e) => e.name), [], "nothing half-made");
  },
});

Deno.test({
  name: "full disk: answer prints one line, and stores nothing",
  ignore: refused !== undefined,
  async fn() {
    await using ctx = await fullDiskCtx();
    await useShellWorker(ctx, "true");
    const worker = liveWorker("full-0002");
    try {
      await seedTask(ctx, "full-0002", { state: { state: "running", pid: worker.pid } });
      await recordQuestion(ctx.home, "full-0002", "Go on?", ctx.now());
      await ctx.fill();
      const r = await cmd(ctx, ["answer", "full-0002", "yes ".repeat(1000)]);
      assertOneLine(r.err, "answer");
      assert.equal(r.code, 70, r.err);
      const names = [...Deno.readDirSync(taskPaths(ctx.home, "full-0002").answers)].map((e) => e.name);
      assert.deepEqual(names, [], "no answer and no stray temp file");
      assert.equal(readState(ctx.home, "full-0002").state, "running");
    } finally {
      worker.kill("SIGKILL");
      await worker.status;
    }
  },
});
