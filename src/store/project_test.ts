import assert from "node:assert/strict";
import { tempDir } from "../../test/temp_dir.ts";
import { projectOf } from "./project.ts";

Deno.test("projectOf: the nearest folder with a real .git; an empty .git folder or none means the folder itself", async () => {
  await using tmp = await tempDir();
  const repo = `${tmp.path}/repo`;
  await Deno.mkdir(`${repo}/.git`, { recursive: true });
  await Deno.writeTextFile(`${repo}/.git/HEAD`, "ref: refs/heads/main\n");
  await Deno.mkdir(`${repo}/src/deep`, { recursive: true });
  assert.equal(await projectOf(`${repo}/src/deep`), repo);
  const worktree = `${tmp.path}/wt`;
  await Deno.mkdir(`${worktree}/a`, { recursive: true });
  await Deno.writeTextFile(`${worktree}/.git`, "gitdir: /elsewhere\n");
  assert.equal(await projectOf(`${worktree}/a`), worktree, "a worktree's .git file counts");
  const plain = `${tmp.path}/plain`;
  await Deno.mkdir(`${plain}/.git`, { recursive: true }); // empty, as a sandboxed codex leaves in /tmp
  await Deno.mkdir(`${plain}/x`);
  assert.equal(await projectOf(`${plain}/x`), `${plain}/x`);
});
