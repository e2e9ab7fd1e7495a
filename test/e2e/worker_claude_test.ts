/**
 * claude (2.1.330) as a real worker, offline against the mock Anthropic API.
 * @module
 */
import assert from "node:assert/strict";
import { parseLog } from "../../src/backends/jsonl.ts";
import { processesOfTask } from "../helpers.ts";
import {
  askExitResume,
  assertResumed,
  cancelKillsTree,
  HAPPY,
  happyPath,
  installed,
  UUID,
  workerSandbox,
  workerScript,
} from "./worker_e2e.ts";

function cmdline(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`);
  } catch {
    return "";
  }
}

function environ(pid: number): string[] {
  return new TextDecoder().decode(Deno.readFileSync(`/proc/${pid}/environ`)).split("\0");
}

const ignore = !installed("claude");

Deno.test({ name: "claude worker: plan, tick, ask, answer, tick, summary, done", ignore }, async () => {
  const done = await happyPath("claude");
  assert.match(String(done.native_session), UUID);
  // Six model calls at the mock's 11 in / 7 out each, and claude's own cost figure.
  const usage = done.usage as Record<string, number>;
  assert.equal(usage.input_tokens, 66);
  assert.equal(usage.output_tokens, 42);
  assert.ok(usage.cost_usd! > 0);
});

Deno.test(
  { name: "claude worker: exits with a question open, the answer resumes its session", ignore },
  async () => {
    const { id, first, done, resumed, log } = await askExitResume("claude");
    assert.match(String(first.native_session), UUID);
    assertResumed({ id, first, done, resumed }, "native session");
    assert.ok(resumed.assistantTexts.includes("Waiting for the answer."), "the earlier reply");
    // Tokens are per run (summed); cost is the session's running total (differenced).
    const results = parseLog(log).events.filter((e) => e.type === "result");
    assert.equal(results.length, 2);
    const usage = done.usage as Record<string, number>;
    const tokens = results.map((r) => (r.usage as Record<string, number>).input_tokens!);
    assert.equal(usage.input_tokens, tokens[0]! + tokens[1]!);
    assert.ok(
      Math.abs(usage.cost_usd! - (results[1]!.total_cost_usd as number)) < 1e-9,
      JSON.stringify(usage),
    );
  },
);

Deno.test(
  { name: "claude worker: read tier still asks, ticks its plan and writes its summary", ignore },
  async () => {
    const done = await happyPath("claude", { tier: "read" });
    assert.equal(done.tier, "read");
  },
);

Deno.test({ name: "claude worker: cancel leaves no process of its tree alive", ignore }, async () => {
  // claude blocks a plain `sleep`, so the long command is a tail; full tier so it may run
  // it at all, and as root claude's bypass wants IS_SANDBOX=1.
  await cancelKillsTree("claude", "tail -f /dev/null", "tail", { extraEnv: { IS_SANDBOX: "1" } });
});

Deno.test({
  name: "claude worker: four started at once from inside a Claude Code session all finish",
  ignore,
}, async () => {
  await using w = await workerSandbox(
    "claude",
    workerScript("claude", () => HAPPY),
  );
  // What the host's Bash tool has in its environment (seen with claude 2.1.330).
  const host = {
    CLAUDECODE: "1",
    CLAUDE_CODE_ENTRYPOINT: "cli",
    CLAUDE_CODE_SSE_PORT: "45555",
    CLAUDE_CODE_SESSION_ID: "bf1e3c21-b2a7-4467-9f27-262ab346d451",
    CLAUDE_CODE_CHILD_SESSION: "1",
    CLAUDE_CODE_MESSAGING_SOCKET: "/tmp/cc-socks/1.sock",
    CLAUDE_CODE_MESSAGING_TOKEN: "0123456789abcdef",
    CLAUDE_CODE_EXECPATH: "/usr/local/bin/claude",
    CLAUDE_PID: "1",
    AI_AGENT: "claude-code_2-1-330_agent",
  };
  const t0 = Date.now();
  const ids = await Promise.all([1, 2, 3, 4].map((n) => w.start(`claude parallel ${n}`, [], host)));
  // All four asked: each `claude -p` is alive, so its environment can be read.
  await Promise.all(ids.map((id) => w.waitState(id, ["waiting"])));
  for (const id of ids) {
    const claude = processesOfTask(id).filter((pid) => cmdline(pid).split("\0")[0]!.endsWith("/claude"));
    assert.equal(claude.length, 1, `one claude process for ${id}`);
    const env = environ(claude[0]!);
    for (const name of Object.keys(host)) {
      assert.ok(!env.some((e) => e.startsWith(`${name}=`)), `${name} removed`);
    }
    assert.ok(env.includes(`DISPATCH_TASK=${id}`));
  }
  for (const id of ids) assert.equal((await w.sb.run(["answer", id, "Use PostgreSQL"])).code, 0);
  const states = await Promise.all(ids.map((id) => w.waitState(id, ["done", "failed"], 50_000)));
  console.log(`claude x4 in parallel: ${Date.now() - t0} ms`);
  for (const s of states) {
    assert.equal(s.state, "done", String(s.reason));
    assert.equal(s.exit_code, 0);
    assert.match(String(s.native_session), UUID);
  }
  assert.equal(new Set(states.map((s) => s.native_session)).size, 4, "four distinct sessions");
  assert.ok(!states.some((s) => s.native_session === host.CLAUDE_CODE_SESSION_ID));
});
