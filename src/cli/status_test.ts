import assert from "node:assert/strict";
import { run } from "./status.ts";
import { projectOf } from "../store/project.ts";
import { testCtx } from "../../test/config_helpers.ts";
import { fakeTask } from "../../bench/harness.ts";

const DAY = 24 * 60 * 60 * 1000;

/** A task on disk: running (its pid is this test's) when `endedAgo` is undefined, else done that long ago. */
function task(home: string, project: string, id: string, endedAgo?: number) {
  return fakeTask(home, project, 0, "s", { id, running: endedAgo === undefined, endedAgoMs: endedAgo });
}

Deno.test("status: the board holds unfinished and recent tasks and says how many older ones --all adds", async () => {
  const ctx = await testCtx();
  try {
    const project = await projectOf(ctx.cwd);
    await task(ctx.home, project, "running-0000");
    await task(ctx.home, project, "recent-0000", 60 * 60 * 1000);
    for (let i = 0; i < 30; i++) {
      await task(ctx.home, project, `old-${String(i).padStart(4, "0")}`, (i + 2) * DAY);
    }
    assert.equal(await run(ctx, []), 0);
    const board = ctx.out.join("");
    const rows = board.split("\n").filter((l) => /^(running|recent|old)-/.test(l));
    assert.equal(rows.length, 1 + 1 + 9);
    assert.ok(!board.includes("old-0009"), "the 11th ended task is older than a day");
    assert.match(board, /\(21 older ended task\(s\) not shown: dispatch status --all\)\n$/);
    ctx.out.length = 0;
    assert.equal(await run(ctx, ["--all"]), 0);
    assert.equal(ctx.out.join("").split("\n").filter((l) => /^(running|recent|old)-/.test(l)).length, 32);
    assert.doesNotMatch(ctx.out.join(""), /not shown/);
  } finally {
    await ctx.cleanup();
  }
});
