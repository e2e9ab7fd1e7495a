/**
 * Three /dispatch calls in one session with the real `claude -p` as host:
 * the playbook reaches the conversation once, not once per call, and each
 * task's own text stays within the design's budget.
 * @module
 */
import assert from "node:assert/strict";
import { cliInstalled } from "../mock/cli_env.ts";
import { formatHostContext, measureHostContext } from "../../bench/host_context.ts";

Deno.test({
  name: "host context: three /dispatch calls in one session carry one copy of the playbook",
  ignore: !cliInstalled("claude"),
  async fn() {
    const f = await measureHostContext(3);
    const report = formatHostContext(f);
    assert.equal(f.tasks, 3, report);
    assert.equal(f.deliveries, 6, report);
    assert.equal(f.playbook.copies, 1, report);
    assert.ok(f.playbook.bytes > 2000, report);
    assert.ok(f.withinBudget, report);
    assert.ok(f.overhead.resolve < 3 * 80, `resolve lines are not compact:\n${report}`);
  },
});
