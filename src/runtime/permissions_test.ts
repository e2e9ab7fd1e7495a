import assert from "node:assert/strict";
import type { Config } from "../config/schema.ts";
import { DEFAULT_EDIT_ALLOW } from "../rules.ts";
import { taskRules, WORKTREE_EDIT_ALLOW } from "./permissions.ts";
import { tempDir } from "../../test/temp_dir.ts";

const CONFIG = {
  backends: {},
  models: { m: { backend: "claude" } },
  aliases: { t: { model: "m", permissions: { allow: ["make lint"] } } },
  permissions: { allow: ["npm run build"], deny: ["git push *"] },
} as unknown as Config;

Deno.test("taskRules: edit defaults, the plan's test command, config, alias, project and flags; deny kept", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/.dispatch.yaml`, "permissions: { allow: [pwd], deny: [curl *] }\n");
  const rules = await taskRules({
    tier: "edit",
    plan: "- [ ] run `cargo test`\n",
    config: CONFIG,
    alias: "t",
    project: dir.path,
    flags: { allow: ["npm test"], deny: ["rm *"] },
  });
  assert.deepEqual(rules, {
    allow: [...DEFAULT_EDIT_ALLOW, "cargo test *", "npm run build", "make lint", "npm test"],
    deny: ["git push *", "curl *", "rm *"],
  });
});

Deno.test("taskRules: read gets no defaults and no project allows; none at all is undefined", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/.dispatch.yaml`, "permissions: { allow: [pwd], deny: [curl *] }\n");
  const base = { plan: "- [ ] npm test\n", project: dir.path };
  assert.deepEqual(await taskRules({ ...base, tier: "read", config: CONFIG }), {
    allow: ["npm run build"],
    deny: ["git push *", "curl *"],
  });
  await Deno.remove(`${dir.path}/.dispatch.yaml`);
  const empty = { backends: {}, models: {}, aliases: {} } as unknown as Config;
  assert.equal(await taskRules({ ...base, tier: "full", config: empty }), undefined);
});

Deno.test("taskRules: a worktree task's edit worker may also git add and git commit; read and full get nothing more", async () => {
  await using dir = await tempDir();
  const empty = { backends: {}, models: {}, aliases: {} } as unknown as Config;
  const base = { plan: "- [ ] x\n", project: dir.path, config: empty, worktree: true };
  assert.deepEqual(await taskRules({ ...base, tier: "edit" }), {
    allow: [...DEFAULT_EDIT_ALLOW, ...WORKTREE_EDIT_ALLOW],
    deny: [],
  });
  assert.deepEqual(WORKTREE_EDIT_ALLOW, ["git add *", "git commit *"]);
  assert.equal(await taskRules({ ...base, tier: "read" }), undefined);
  assert.equal(
    (await taskRules({ ...base, tier: "edit", worktree: false }))?.allow.includes("git commit *"),
    false,
  );
});
