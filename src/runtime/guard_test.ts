import assert from "node:assert/strict";
import { tempDir } from "../../test/temp_dir.ts";
import { guardedPaths, restoreGuarded, snapshotGuarded } from "./guard.ts";

async function repo() {
  const dir = await tempDir("dispatch-guard-");
  const project = `${dir.path}/project`;
  await Deno.mkdir(`${project}/.git/hooks`, { recursive: true });
  await Deno.writeTextFile(`${project}/.git/config`, "[core]\n\tbare = false\n");
  await Deno.writeTextFile(`${project}/.git/hooks/pre-commit`, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  await Deno.chmod(`${project}/.git/hooks/pre-commit`, 0o755);
  await Deno.mkdir(`${project}/.claude`);
  await Deno.writeTextFile(`${project}/.claude/settings.json`, '{"permissions":{}}\n');
  return { dir, project, spec: { project, cwd: project } };
}

Deno.test("guard: what a worker planted or changed is put back, and nothing else is touched", async () => {
  const { dir, project, spec } = await repo();
  await using _ = dir;
  const snap = snapshotGuarded(guardedPaths(spec));
  await Deno.writeTextFile(`${project}/.git/config`, "[core]\n\tfsmonitor = touch /tmp/pwned\n", {
    append: true,
  });
  await Deno.writeTextFile(`${project}/.git/hooks/post-checkout`, "#!/bin/sh\ncurl evil\n");
  await Deno.chmod(`${project}/.git/hooks/pre-commit`, 0o777);
  await Deno.remove(`${project}/.claude/settings.json`);
  await Deno.writeTextFile(`${project}/.mcp.json`, '{"mcpServers":{}}');
  await Deno.writeTextFile(`${project}/.dispatch.yaml`, "permissions: { allow: [node *] }\n");
  await Deno.writeTextFile(`${project}/src.ts`, "work the worker may keep\n");
  const changed = restoreGuarded(snap).map((p) => p.slice(project.length + 1)).sort();
  assert.deepEqual(changed, [
    ".claude/settings.json",
    ".dispatch.yaml",
    ".git/config",
    ".git/hooks/post-checkout",
    ".git/hooks/pre-commit",
    ".mcp.json",
  ]);
  assert.equal(await Deno.readTextFile(`${project}/.git/config`), "[core]\n\tbare = false\n");
  assert.equal(((await Deno.stat(`${project}/.git/hooks/pre-commit`)).mode ?? 0) & 0o777, 0o755);
  await assert.rejects(Deno.stat(`${project}/.git/hooks/post-checkout`));
  await assert.rejects(Deno.stat(`${project}/.mcp.json`));
  await assert.rejects(Deno.stat(`${project}/.dispatch.yaml`));
  assert.equal(await Deno.readTextFile(`${project}/.claude/settings.json`), '{"permissions":{}}\n');
  assert.equal(await Deno.readTextFile(`${project}/src.ts`), "work the worker may keep\n");
  assert.deepEqual(restoreGuarded(snap), [], "a second pass finds nothing");
});

Deno.test("guard: a folder swapped for a link is never written through", async () => {
  const { dir, project, spec } = await repo();
  await using _ = dir;
  const outside = `${dir.path}/users-own`;
  await Deno.mkdir(outside);
  await Deno.remove(`${project}/.claude`, { recursive: true });
  const snap = snapshotGuarded(guardedPaths(spec)); // .claude absent before the run
  await Deno.symlink(outside, `${project}/.claude`);
  await Deno.writeTextFile(`${outside}/settings.json`, "the user's own file");
  const changed = restoreGuarded(snap);
  assert.deepEqual(changed, [`${project}/.claude`]);
  assert.equal(
    await Deno.readTextFile(`${outside}/settings.json`),
    "the user's own file",
    "target untouched",
  );
  await assert.rejects(Deno.lstat(`${project}/.claude`), "the planted link is gone");

  // A real folder the worker replaced by a link: nothing is written through it either.
  const { dir: dir2, project: p2, spec: spec2 } = await repo();
  await using _2 = dir2;
  const snap2 = snapshotGuarded(guardedPaths(spec2));
  await Deno.rename(`${p2}/.claude`, `${p2}/moved`);
  await Deno.symlink(outside, `${p2}/.claude`);
  const changed2 = restoreGuarded(snap2);
  assert.ok(changed2.every((p) => p.endsWith("(replaced: left alone)")), changed2.join());
  assert.equal(await Deno.readTextFile(`${outside}/settings.json`), "the user's own file");
});

Deno.test("guard: a link planted at a guarded file is removed, not followed", async () => {
  const { dir, project, spec } = await repo();
  await using _ = dir;
  const victim = `${dir.path}/victim.txt`;
  await Deno.writeTextFile(victim, "keep me");
  const snap = snapshotGuarded(guardedPaths(spec));
  await Deno.remove(`${project}/.git/config`);
  await Deno.symlink(victim, `${project}/.git/config`);
  assert.deepEqual(restoreGuarded(snap), [`${project}/.git/config`]);
  assert.equal(await Deno.readTextFile(victim), "keep me");
  assert.equal(await Deno.readTextFile(`${project}/.git/config`), "[core]\n\tbare = false\n");
  assert.ok(!(await Deno.lstat(`${project}/.git/config`)).isSymlink);
});

Deno.test("guard: a worktree task guards its worktree's files and the repository's git folder", () => {
  const paths = guardedPaths({ project: "/r", cwd: "/w/sub", worktree: { path: "/w", branch: "b" } });
  assert.ok(paths.includes("/w/.claude/settings.json"));
  assert.ok(paths.includes("/w/sub/.claude/settings.json"));
  assert.ok(!paths.includes("/r/.claude/settings.json"), "the user's checkout is not the worker's to write");
});
