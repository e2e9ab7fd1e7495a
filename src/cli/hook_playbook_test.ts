import assert from "node:assert/strict";
import { forgetPlaybook, PLAYBOOK_HEADING, playbookOnce } from "./hook_playbook.ts";
import { testCtx } from "../../test/fake_ctx.ts";

Deno.test("playbook: the first /dispatch of a session gets it, later ones and other commands do not", async () => {
  await using ctx = await testCtx();
  const first = await playbookOnce(ctx, "s1", "dispatch:dispatch");
  assert.ok(first?.startsWith(PLAYBOOK_HEADING), "no playbook on the first call");
  assert.ok(!first!.includes("allowed-tools:"), "frontmatter leaked");
  assert.equal(await playbookOnce(ctx, "s1", "dispatch:dispatch"), undefined);
  assert.equal(await playbookOnce(ctx, "s1", "dispatch"), undefined);
  assert.equal(await playbookOnce(ctx, "s2", "dispatch:dispatch-status"), undefined);
  assert.ok(await playbookOnce(ctx, "s2", "dispatch"), "another session gets its own copy");
});

Deno.test("playbook: a compacted session is given it again; a bad session id is refused", async () => {
  await using ctx = await testCtx();
  assert.ok(await playbookOnce(ctx, "s1", "dispatch:dispatch"));
  await forgetPlaybook(ctx, "s1");
  assert.ok(await playbookOnce(ctx, "s1", "dispatch:dispatch"));
  await assert.rejects(playbookOnce(ctx, "../x", "dispatch:dispatch"));
});

Deno.test("playbook: with the file missing it gives nothing and marks nothing (the command says to read it)", async () => {
  await using ctx = await testCtx({ env: { CLAUDE_PLUGIN_ROOT: "/nonexistent" } });
  assert.equal(await playbookOnce(ctx, "s1", "dispatch:dispatch"), undefined);
  ctx.env.CLAUDE_PLUGIN_ROOT = "";
  assert.ok(await playbookOnce(ctx, "s1", "dispatch:dispatch"));
});
