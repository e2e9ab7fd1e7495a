import assert from "node:assert/strict";
import { seedTask, testCtx } from "../../test/fake_ctx.ts";
import { startTimeOf } from "../proc/procfs.ts";
import { readDecisionSync } from "../store/permissions.ts";
import { readTextOrUndefined } from "../store/fsx.ts";
import { askPermission } from "../ipc/permissions.ts";
import { questionJournal } from "../runtime/question_journal.ts";
import { run } from "./answer.ts";

/** A task whose worker is this process (alive), with permission question 1 asked and journaled. */
async function permissionTask(ctx: Awaited<ReturnType<typeof testCtx>>, id: string, command: string) {
  const live = { pid: Deno.pid, pidStart: startTimeOf(Deno.pid), supervisor: Deno.pid };
  const spec = await seedTask(ctx, id, {
    state: { state: "running", since: ctx.now(), ...live, supervisorStart: startTimeOf(Deno.pid) },
  });
  await askPermission(ctx, id, { tool: "Bash", command, cwd: ctx.project, call: "toolu_a" });
  await (await questionJournal(ctx, spec)).sweep();
}

Deno.test("answer on a permission question takes allow|always|deny and a reason, nothing else", async () => {
  await using ctx = await testCtx();
  await permissionTask(ctx, "ap-0001", "npm install left-pad");
  for (const wrong of ["yes", "Allow", "ok allow"]) {
    await assert.rejects(
      run(ctx, ["ap-0001", "--question", "1", wrong]),
      /asks permission: answer allow, always or deny, then an optional reason/,
    );
  }
  await assert.rejects(
    run(ctx, ["ap-0001", "--question", "1", "deny", "--project"]),
    /--project goes with 'always'/,
  );
  assert.equal(readDecisionSync(ctx.home, "ap-0001", 1), undefined, "nothing stored");
  assert.equal(await run(ctx, ["ap-0001", "--question", "1", "deny", "use", "the fixture"]), 0);
  assert.deepEqual(readDecisionSync(ctx.home, "ap-0001", 1), {
    n: 1,
    decision: "deny",
    reason: "use the fixture",
    request: { tool: "Bash", command: "npm install left-pad", cwd: ctx.project, call: "toolu_a" },
  });
  assert.equal(ctx.out.join(""), "Answered permission question 1 of ap-0001: deny.\n");
});

Deno.test("answer always --project adds a rule a project may hold, and refuses one it may not", async () => {
  await using ctx = await testCtx();
  await permissionTask(ctx, "ap-0002", "cargo test --release");
  await Deno.writeTextFile(`${ctx.project}/.dispatch.yaml`, "# ours\npermissions:\n  deny: [rm *]\n");
  assert.equal(await run(ctx, ["ap-0002", "-q", "1", "always", "--project"]), 0);
  assert.equal(readDecisionSync(ctx.home, "ap-0002", 1)?.decision, "always");
  const text = await readTextOrUndefined(`${ctx.project}/.dispatch.yaml`);
  assert.match(text!, /^# ours\n/);
  assert.match(text!, /allow:\n {4}- cargo test --release\n/);
  await using other = await testCtx();
  await permissionTask(other, "ap-0003", "npm install left-pad");
  await assert.rejects(
    run(other, ["ap-0003", "-q", "1", "always", "--project"]),
    /Cannot add it to the project: 'npm install left-pad' is not one a project file may allow/,
  );
  assert.equal(readDecisionSync(other.home, "ap-0003", 1), undefined, "refused before anything was stored");
});

Deno.test("an ordinary question keeps free text, and refuses --project", async () => {
  await using ctx = await testCtx();
  const live = { pid: Deno.pid, pidStart: startTimeOf(Deno.pid) };
  await seedTask(ctx, "ap-0004", { state: { state: "running", since: ctx.now(), ...live } });
  const { recordQuestion } = await import("../store/questions.ts");
  await recordQuestion(ctx.home, "ap-0004", "Which database?", ctx.now());
  await assert.rejects(
    run(ctx, ["ap-0004", "allow", "--project"]),
    /--project goes with 'always' on a permission/,
  );
  assert.equal(await run(ctx, ["ap-0004", "allow"]), 0);
  assert.equal(ctx.out.join(""), "Answered question 1 of ap-0004.\n");
});

Deno.test("status --json lists an open permission request as a question of kind permission", async () => {
  await using ctx = await testCtx();
  await permissionTask(ctx, "ap-0005", "npm install left-pad");
  const { loadView } = await import("../runtime/view.ts");
  const { taskJson } = await import("../render/board.ts");
  const json = taskJson(await loadView(ctx, "ap-0005"), ctx.now());
  assert.equal(json.state, "waiting");
  assert.deepEqual(json.questions, [{
    n: 1,
    text: `run "npm install left-pad" in ${ctx.project}`,
    kind: "permission",
    request: { tool: "Bash", command: "npm install left-pad", cwd: ctx.project, call: "toolu_a" },
  }]);
});
