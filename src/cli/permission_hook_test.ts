import assert from "node:assert/strict";
import { testCtx } from "../../test/fake_ctx.ts";
import { run } from "./permission_hook.ts";

Deno.test("permission-hook: anything it cannot decide (bad JSON, no task of its own) prints nothing and exits 0", async () => {
  for (
    const stdin of [
      "not json",
      JSON.stringify({ "tool_name": "Bash", "tool_input": { command: "rm -rf /" } }),
    ]
  ) {
    await using ctx = await testCtx();
    ctx.stdin = () => Promise.resolve(stdin);
    assert.equal(await run(ctx, []), 0);
    assert.deepEqual(ctx.out, [], "no decision: claude's own rules decide (a refusal, never an allow)");
    assert.match(ctx.err.join(""), /^dispatch permission-hook: /);
  }
});
