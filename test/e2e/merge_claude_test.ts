/**
 * claude (2.1.330) as a real worker in a worktree, offline against the mock
 * Anthropic API: it writes a file and commits it with its own Bash tool,
 * leaves a second file uncommitted, and finishes; the supervisor commits the
 * leftover, and `dispatch merge` brings both into the user's branch.
 * @module
 */
import assert from "node:assert/strict";
import type { Script } from "../mock/types.ts";
import { SIDE_CALL_TEXT } from "../mock/script.ts";
import { installed, promptPaths, toolCall, workerLog, workerSandbox } from "./worker_e2e.ts";
import { git } from "../results_helpers.ts";

/** The model: write and commit notes.md, write left.md, tick both items, write the summary. */
const script: Script = (req) => {
  if (req.toolNames.length === 0) return { text: SIDE_CALL_TEXT };
  const paths = promptPaths(req);
  const cwd = /\. Work in (\/\S+?)\.\n/.exec(req.texts.join("\n"))?.[1];
  if (!paths || !cwd) return { text: "mock: no dispatch prompt found" };
  const steps = [
    {
      tool: { name: "Write", input: { file_path: `${cwd}/notes.md`, content: "committed by the worker\n" } },
    },
    { shell: "git add notes.md && git commit -q -m worker-notes" },
    { tool: { name: "Write", input: { file_path: `${cwd}/left.md`, content: "left for dispatch\n" } } },
    toolCall("claude", req, paths, { tick: "first" }),
    toolCall("claude", req, paths, { tick: "second" }),
    toolCall("claude", req, paths, { write: "Wrote notes.md (committed) and left.md." }),
  ];
  return steps[req.turnToolResults.length] ?? { text: "Done." };
};

Deno.test({
  name: "claude worker in a worktree commits, dispatch merge brings it home",
  ignore: !installed("claude"),
}, async () => {
  const identity = {
    GIT_AUTHOR_NAME: "W",
    GIT_AUTHOR_EMAIL: "w@example.com",
    GIT_COMMITTER_NAME: "W",
    GIT_COMMITTER_EMAIL: "w@example.com",
  };
  await using w = await workerSandbox("claude", script, { extraEnv: identity });
  const project = w.sb.project;
  await Deno.remove(`${project}/.git`, { recursive: true });
  await git(project, "init", "-q", "-b", "main");
  await Deno.writeTextFile(`${project}/README`, "hi\n");
  await git(project, "add", "README");
  await git(project, "commit", "-q", "-m", "init");
  const id = await w.start("notes", ["--worktree"]); // a worktree task's edit tier allows git add and commit
  const done = await w.waitState(id, ["done", "failed"]);
  assert.equal(done.state, "done", `${done.reason}\n${(await workerLog(w, id)).slice(-3000)}`);
  const branch = `dispatch/${id}`;
  // The worker's own commit, then dispatch's for what it left.
  assert.equal(
    await git(project, "log", "--format=%an:%s", `main..${branch}`),
    "dispatch:dispatch: notes\nW:worker-notes",
  );
  const merged = await w.sb.run(["merge", id]);
  assert.equal(merged.code, 0, merged.stdout + merged.stderr);
  assert.match(merged.stdout, new RegExp(`Merged ${id} into main`));
  assert.equal(await Deno.readTextFile(`${project}/notes.md`), "committed by the worker\n");
  assert.equal(await Deno.readTextFile(`${project}/left.md`), "left for dispatch\n");
  assert.equal(await git(project, "status", "--porcelain"), "");
});
