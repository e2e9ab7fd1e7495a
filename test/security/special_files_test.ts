/**
 * A worker plants special files where the trusted side reads what it
 * writes (its `work/` folder): a FIFO as a question file, beside the plan
 * and as the summary, a folder as a question. Every reader (the supervisor,
 * status, the hook, result) goes on at once; the task ends truthfully. (A
 * FIFO under Deno.watchFs wedged the supervisor for good before.)
 * @module
 */
import assert from "node:assert/strict";
import { startTask, waitForState } from "../helpers.ts";
import { evilSandbox } from "./evil_sandbox.ts";

Deno.test("special files: FIFOs and folders planted in work/ hang no reader, and the task still ends done", async () => {
  await using sb = await evilSandbox(`
d=\${DISPATCH_PLAN%/*}
mkfifo "$d/questions/001.json"
mkdir "$d/questions/002.json"
printf 'not json' >"$d/questions/003.json"
mkfifo "$d/output.md"
mkfifo "$d/plan.md.tmp"
sed 's/- \\[ \\]/- [x]/' "$DISPATCH_PLAN" >"$DISPATCH_PLAN.new" && mv "$DISPATCH_PLAN.new" "$DISPATCH_PLAN"
`);
  const id = await startTask(sb, "evil", ["--session", "host-f"]);
  // The caps only bound a hang; each of these returns in well under a second.
  const done = await waitForState(sb, id, ["done", "failed"], 30_000);
  assert.equal(done.state, "done", String(done.reason));
  assert.deepEqual(done.questions, [], "no planted file reads as a question");
  const status = await sb.run(["status"], { timeoutMs: 30_000 });
  assert.equal(status.code, 0, status.stderr);
  const result = await sb.run(["result", id], { timeoutMs: 30_000 });
  assert.equal(result.code, 0, result.stderr);
  // The supervisor defused what it watched: no FIFO is left in work/ or work/questions/.
  const work = `${sb.home}/tasks/${id}/work`;
  for (const dir of [work, `${work}/questions`]) {
    for await (const e of Deno.readDir(dir)) {
      assert.ok(e.isFile || e.isDirectory, `${dir}/${e.name} is a plain file or folder`);
    }
  }
  const hook = await sb.run(["hook", "UserPromptSubmit"], {
    stdin: JSON.stringify({ hook_event_name: "UserPromptSubmit", session_id: "host-f", cwd: sb.project }),
    timeoutMs: 30_000,
  });
  assert.equal(hook.code, 0, hook.stderr);
  assert.match(hook.stdout, new RegExp(`${id} done`));
});
