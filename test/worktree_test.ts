import assert from "node:assert/strict";
import { sandbox, startTask, taskStatus, waitForState } from "./helpers.ts";
import { git } from "./results_helpers.ts";

Deno.test("worktree: a task runs in its own worktree on dispatch/<id>; gc keeps unmerged work", async () => {
  await using sb = await sandbox();
  await Deno.remove(`${sb.project}/.git`, { recursive: true });
  await git(sb.project, "init", "-q", "-b", "main");
  await Deno.writeTextFile(`${sb.project}/README`, "hi\n");
  await git(sb.project, "add", "README");
  await git(sb.project, "commit", "-q", "-m", "init");
  const id = await startTask(sb, "tick_all", ["--worktree"]);
  const s = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(s.state, "done");
  const wt = s.worktree as { path: string; branch: string };
  assert.equal(wt.path, `${sb.home}/worktrees/${id}`);
  assert.equal(wt.branch, `dispatch/${id}`);
  assert.equal(s.cwd, wt.path);
  assert.equal(await git(wt.path, "rev-parse", "--abbrev-ref", "HEAD"), `dispatch/${id}`);
  // Unmerged, uncommitted work in the worktree: gc must keep it.
  await Deno.writeTextFile(`${wt.path}/new.txt`, "work\n");
  const kept = await sb.run(["gc", "--older-than", "0"]);
  assert.match(kept.stdout, new RegExp(`Kept ${id}: its worktree .* has uncommitted changes`));
  await git(wt.path, "add", "new.txt");
  await git(wt.path, "commit", "-q", "-m", "work");
  const unmerged = await sb.run(["gc", "--older-than", "0"]);
  assert.match(unmerged.stdout, /is not merged/);
  await git(sb.project, "merge", "-q", `dispatch/${id}`);
  const gone = await sb.run(["gc", "--older-than", "0"]);
  assert.match(gone.stdout, new RegExp(`Removed ${id} and ${wt.path}`));
  await assert.rejects(Deno.stat(wt.path));
  assert.equal((await sb.run(["status", id])).code, 66);
});

Deno.test("worktree: a folder that is not a git repository is refused and nothing is created", async () => {
  await using sb = await sandbox();
  const r = await sb.run(["start", "--title", "x", "--model", "tick_all", "--worktree", "--plan", "-"], {
    stdin: "- [ ] a\n",
  });
  assert.equal(r.code, 65);
  assert.match(r.stderr, /Cannot create a worktree: .* is not a git repository with a commit/);
  assert.deepEqual(await Array.fromAsync(Deno.readDir(`${sb.home}/tasks`)), []);
  assert.equal(await Deno.readTextFile(`${sb.home}/journal.jsonl`).catch(() => ""), "");
});

Deno.test("gc: only ended tasks older than the cut-off go", async () => {
  await using sb = await sandbox();
  const done = await startTask(sb, "tick_all");
  const running = await startTask(sb, "hang");
  await waitForState(sb, done, ["done"]);
  assert.match((await sb.run(["gc"])).stdout, /Removed 0 task/);
  const dry = await sb.run(["gc", "--older-than", "0", "--dry-run"]);
  assert.match(dry.stdout, new RegExp(`Would remove ${done}`));
  assert.equal((await taskStatus(sb, done)).state, "done");
  await sb.run(["gc", "--older-than", "0"]);
  assert.equal((await sb.run(["status", done])).code, 66);
  assert.equal((await taskStatus(sb, running)).state, "running");
});
