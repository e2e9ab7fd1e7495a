/**
 * Faults: a truncated or nonsensical state.json, task.json or session file,
 * and a task folder deleted under a command. The supervisor lives on,
 * readers do not call a live task failed, `status` still lists the task
 * (marked), and every command ends in one line with an exit code.
 */
import assert from "node:assert/strict";
import { seedTask, testCtx, until, useShellWorker } from "../fake_ctx.ts";
import { taskPaths } from "../../src/store/paths.ts";
import { readState } from "../../src/store/tasks.ts";
import { readSession } from "../../src/store/sessions.ts";
import { sessionPath } from "../../src/store/paths.ts";
import { loadView } from "../../src/runtime/view.ts";
import { supervise } from "../../src/runtime/supervisor.ts";
import { assertOneLine, cmd } from "./helpers.ts";

const WAIT_FOR_GO = `while [ ! -f "$DISPATCH_HOME/go" ]; do sleep 0.02; done`;
const TICK_ALL = `sed -i 's/- \\[ \\]/- [x]/g' "$DISPATCH_PLAN"`;

for (
  const [name, text] of [
    ["truncated", '{\n  "state": "runn'],
    ["valid JSON with no valid state", '{"hello": "world"}'],
  ] as const
) {
  Deno.test(`state.json ${name} mid-run: the supervisor lives on, readers keep the task alive, marked`, async () => {
    await using ctx = await testCtx();
    await useShellWorker(ctx, `${WAIT_FOR_GO}; ${TICK_ALL}`);
    await seedTask(ctx, "dmg-0001");
    const run = supervise(ctx, "dmg-0001", { tickMs: 1000 });
    await until(() => readState(ctx.home, "dmg-0001").pid);
    await Deno.writeTextFile(taskPaths(ctx.home, "dmg-0001").state, text);
    await ctx.clock.fireNext(); // a supervisor tick reads the damaged file
    await ctx.clock.settled();
    const view = await loadView(ctx, "dmg-0001");
    assert.notEqual(view.state.state, "failed", `a reader called the live task failed: ${view.state.reason}`);
    assert.match(view.damaged ?? "", /^state\.json is unreadable: /);
    const status = await cmd(ctx, ["status", "--all"]);
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /dmg-0001/, "status still lists it");
    await Deno.writeTextFile(`${ctx.home}/go`, "");
    await run;
    const state = readState(ctx.home, "dmg-0001");
    assert.equal(state.state, "done", state.reason);
    assert.equal(state.unreadable, undefined, "the supervisor's write repaired the file");
  });
}

Deno.test("state.json damaged on a task whose processes are gone: a reader finalizes it from the exit code", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "dmg-0002", { plan: "- [x] a\n" });
  await Deno.writeTextFile(taskPaths(ctx.home, "dmg-0002").state, "{");
  await Deno.writeTextFile(taskPaths(ctx.home, "dmg-0002").exit, "0\n");
  const view = await loadView(ctx, "dmg-0002");
  assert.equal(view.state.state, "done", view.state.reason);
  assert.equal(view.damaged, undefined);
});

Deno.test("task.json damaged: every command on the task is one line with an exit code; status --all lists it", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "true");
  await seedTask(ctx, "bad-0001", { state: { state: "done", ended: 1 } });
  await Deno.writeTextFile(taskPaths(ctx.home, "bad-0001").task, '{"id": "bad-00');
  for (
    const argv of [
      ["answer", "bad-0001", "yes"],
      ["note", "bad-0001", "hi"],
      ["cancel", "bad-0001"],
      ["resume", "bad-0001"],
    ]
  ) {
    const r = await cmd(ctx, argv);
    assertOneLine(r.err, argv.join(" "));
    assert.equal(r.code, 65, `${argv.join(" ")}: ${r.err}`);
    assert.match(r.err, /Task bad-0001 is damaged: .*task\.json cannot be used \(it is not valid JSON/);
  }
  for (const argv of [["result", "bad-0001"], ["logs", "bad-0001"]]) {
    const r = await cmd(ctx, argv); // what they can show, or the one line
    if (r.code !== 0) assertOneLine(r.err, argv.join(" "));
    assert.ok([0, 65].includes(r.code), r.err);
  }
  const one = await cmd(ctx, ["status", "bad-0001"]);
  assert.equal(one.code, 0, one.err);
  assert.match(one.out, /bad-0001: \(task\.json unreadable\)/, "the detail view shows what it can");
  const all = await cmd(ctx, ["status", "--all"]);
  assert.equal(all.code, 0, all.err);
  assert.match(all.out, /bad-0001 .* damaged\/\?/, "listed, its model column marked");
});

Deno.test("a task folder deleted under the commands: one line each, exit 66", async () => {
  await using ctx = await testCtx();
  await useShellWorker(ctx, "true");
  await seedTask(ctx, "del-0001");
  await Deno.remove(taskPaths(ctx.home, "del-0001").dir, { recursive: true });
  for (const argv of [["answer", "del-0001", "y"], ["note", "del-0001", "n"], ["cancel", "del-0001"]]) {
    const r = await cmd(ctx, argv);
    assertOneLine(r.err, argv.join(" "));
    assert.equal(r.code, 66, r.err);
  }
});

Deno.test("a truncated session file is read as empty, and the next write replaces it", async () => {
  await using ctx = await testCtx();
  await Deno.mkdir(`${ctx.home}/sessions`, { recursive: true });
  await Deno.writeTextFile(sessionPath(ctx.home, "s-1"), '{"hook": 12, "act');
  assert.deepEqual(await readSession(ctx.home, "s-1"), {});
});

Deno.test("an internal error is one line; its stack goes to errors.log", async () => {
  await using ctx = await testCtx();
  await seedTask(ctx, "int-0001");
  // A clock that breaks once: an error that is no DispatchError, from deep inside the command.
  const now = ctx.now;
  ctx.now = () => {
    ctx.now = now;
    throw new TypeError("the clock broke");
  };
  const r = await cmd(ctx, ["note", "int-0001", "hi"]);
  assert.equal(r.code, 70);
  assertOneLine(r.err, "note");
  assert.match(r.err, /^dispatch: Internal error: .*; details in .*errors\.log/);
  assert.match(await Deno.readTextFile(`${ctx.home}/errors.log`), /\n\s+at /, "the stack is kept");
});
