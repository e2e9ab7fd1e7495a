import assert from "node:assert/strict";
import { endTurn, FakeAppServer, handshake, THREAD, TURN } from "../../../test/mock/codex_app_server.ts";
import { reportCodex } from "./adapter.ts";
import { type PermissionRequest, type PermissionVerdict, runRelay, shownCommand } from "./relay.ts";

const OPTS = { model: "gpt-x", cwd: "/work/p", text: "Do the plan." };
const COMMAND = `node -e "require('fs').writeFileSync('/var/tmp/x','ran')"`;

/** Runs the driver against `server`; `decide` answers its permission questions. */
async function drive(
  server: FakeAppServer,
  decide: (r: PermissionRequest) => Promise<PermissionVerdict> = () =>
    Promise.reject(new Error("no question")),
  opts: Partial<typeof OPTS & { resume: string }> = {},
) {
  const events: Record<string, unknown>[] = [];
  const asked: PermissionRequest[] = [];
  const code = await runRelay({ ...OPTS, ...opts }, {
    channel: server,
    log: (e) => events.push(e),
    decide: (r) => {
      asked.push(r);
      return decide(r);
    },
  });
  const log = events.map((e) => JSON.stringify(e)).join("\n") + "\n";
  return { code, events, asked, log };
}

function approvalRequest(id: string | number, extra: Record<string, unknown> = {}) {
  return {
    id,
    method: "item/commandExecution/requestApproval",
    params: {
      threadId: THREAD,
      turnId: TURN,
      itemId: "call-1",
      reason: "Write the marker?",
      command: `/bin/bash -c "${COMMAND.replaceAll('"', '\\"')}"`,
      cwd: "/work/p",
      commandActions: [{ type: "unknown", command: COMMAND }],
      ...extra,
    },
  };
}

Deno.test("relay: initialize, initialized, thread/start on-request, the prompt as the turn; an exec-format log the report reads", async () => {
  const server = new FakeAppServer();
  handshake(server, (s) => {
    s.notify("item/completed", {
      threadId: THREAD,
      turnId: TURN,
      item: { type: "agentMessage", text: "hi" },
    });
    endTurn(s);
  });
  const { code, events, log } = await drive(server);
  assert.equal(code, 0);
  const methods = server.received.map((m) => m.method);
  assert.deepEqual(methods, ["initialize", "initialized", "thread/start", "turn/start"]);
  assert.deepEqual(server.received[2]!.params, {
    model: "gpt-x",
    cwd: "/work/p",
    approvalPolicy: "on-request",
  });
  assert.deepEqual(server.received[3]!.params, {
    threadId: THREAD,
    input: [{ type: "text", text: "Do the plan.", text_elements: [] }],
  });
  assert.deepEqual(events.map((e) => e.type), ["thread.started", "item.completed", "turn.completed"]);
  const report = reportCodex(log, { code });
  assert.equal(report.nativeSession, THREAD);
  assert.deepEqual(report.usage, { inputTokens: 22, outputTokens: 14 }, "the thread's running total");
  assert.equal(report.failure, undefined);
});

Deno.test("relay: resume is thread/resume of the thread, then a turn with the message", async () => {
  const server = new FakeAppServer();
  handshake(server, endTurn);
  const { code } = await drive(server, undefined, { resume: THREAD, text: "The user answered." });
  assert.equal(code, 0);
  const resume = server.received.find((m) => m.method === "thread/resume")!;
  assert.equal(resume.params!.threadId, THREAD);
  assert.equal(resume.params!.approvalPolicy, "on-request");
  assert.ok(!server.received.some((m) => m.method === "thread/start"));
  const turn = server.received.find((m) => m.method === "turn/start")!;
  assert.deepEqual(turn.params!.input, [{ type: "text", text: "The user answered.", text_elements: [] }]);
});

Deno.test("relay: a command approval becomes a permission question; allow and always accept", async () => {
  for (const decision of ["allow", "always"] as const) {
    const server = new FakeAppServer();
    handshake(server, (s) => s.write(approvalRequest(7)));
    const done = drive(server, () => Promise.resolve({ decision }));
    const reply = await server.waitFor((m) => m.id === 7 && m.method === undefined);
    assert.deepEqual(reply.result, { decision: "accept" });
    endTurn(server);
    const { code, asked } = await done;
    assert.equal(code, 0);
    assert.deepEqual(asked, [{
      tool: "commandExecution",
      cwd: "/work/p",
      command: COMMAND, // the model's text, not codex's `/bin/bash -c` wrapper
      call: "call-1",
      reason: "Write the marker?",
    }]);
  }
});

Deno.test("relay: deny steers the user's reason into the turn, then declines", async () => {
  const server = new FakeAppServer();
  handshake(server, (s) => s.write(approvalRequest("a-1")));
  server.onMessage = ((inner) => (m, s) => {
    inner(m, s);
    if (m.method === "turn/steer") s.reply(m, { turnId: TURN });
  })(server.onMessage);
  const done = drive(server, () => Promise.resolve({ decision: "deny", reason: "not on this machine" }));
  const reply = await server.waitFor((m) => m.id === "a-1" && m.method === undefined);
  assert.deepEqual(reply.result, { decision: "decline" });
  const steer = server.received.findIndex((m) => m.method === "turn/steer");
  assert.ok(steer >= 0 && steer < server.received.indexOf(reply), "the reason goes in before the decline");
  const params = server.received[steer]!.params!;
  assert.equal(params.expectedTurnId, TURN);
  assert.match(JSON.stringify(params.input), /The user denied running .*: not on this machine/);
  endTurn(server);
  assert.equal((await done).code, 0);
});

Deno.test("relay: a file change approval names the item's files", async () => {
  const server = new FakeAppServer();
  handshake(server, (s) => {
    s.notify("item/started", {
      threadId: THREAD,
      item: { type: "fileChange", id: "fc-1", changes: [{ path: "/etc/hosts" }, { path: "/etc/motd" }] },
    });
    s.write({
      id: 3,
      method: "item/fileChange/requestApproval",
      params: { threadId: THREAD, itemId: "fc-1" },
    });
  });
  const done = drive(server, () => Promise.resolve({ decision: "allow" }));
  await server.waitFor((m) => m.id === 3 && m.method === undefined);
  endTurn(server);
  const { asked } = await done;
  assert.deepEqual(asked, [{
    tool: "fileChange",
    cwd: "/work/p",
    file: "/etc/hosts, /etc/motd",
    call: "fc-1",
  }]);
});

Deno.test("relay (hostile): garbage lines, stray replies and unknown requests are survived", async () => {
  const server = new FakeAppServer();
  handshake(server, (s) => {
    s.line("this is not JSON");
    s.line("[1,2,3]");
    s.write({ id: 999, result: {} }); // a reply to nothing we asked
    s.write({ id: 5, method: "item/tool/requestUserInput", params: { threadId: THREAD } });
  });
  const done = drive(server);
  const refused = await server.waitFor((m) => m.id === 5);
  assert.equal((refused.error as { code: number }).code, -32601);
  endTurn(server);
  const { code, events } = await done;
  assert.equal(code, 0);
  assert.equal(events.filter((e) => e.type === "relay.garbage").length, 3);
  assert.ok(events.some((e) => e.type === "relay.unsupported" && e.method === "item/tool/requestUserInput"));
});

Deno.test("relay (hostile): the server dies while a question waits: exit 1, the question left to the user", async () => {
  const server = new FakeAppServer();
  handshake(server, (s) => s.write(approvalRequest(1)));
  let asked!: () => void;
  const wasAsked = new Promise<void>((r) => asked = r);
  const done = drive(server, () => {
    asked();
    return new Promise(() => {}); // the user takes forever
  });
  await wasAsked;
  server.die();
  const { code, log } = await done;
  assert.equal(code, 1);
  const report = reportCodex(log, { code });
  assert.equal(report.nativeSession, THREAD, "the thread to resume is known");
  assert.match(report.failure!, /without completing its turn/);
});

Deno.test("relay (hostile): a server that dies before the handshake, or errors on it, fails cleanly", async () => {
  const dead = new FakeAppServer();
  dead.die();
  const first = await drive(dead);
  assert.equal(first.code, 1);
  assert.ok(first.events.some((e) => /exited/.test(String(e.message))));
  const refusing = new FakeAppServer();
  refusing.onMessage = (m, s) => s.write({ id: m.id, error: { code: -32600, message: "bad thread" } });
  const second = await drive(refusing);
  assert.equal(second.code, 1);
  assert.ok(second.events.some((e) => e.type === "error" && e.message === "bad thread"));
});

Deno.test("relay: a failed turn is turn.failed with codex's message; another thread's news is ignored", async () => {
  const server = new FakeAppServer();
  handshake(server, (s) => {
    s.notify("turn/completed", { threadId: "other", turn: { id: "x", status: "completed" } });
    endTurn(s, "failed", "exceeded retry limit, last status: 429 Too Many Requests");
  });
  const { code, log } = await drive(server);
  assert.equal(code, 1);
  const report = reportCodex(log, { code });
  assert.match(report.failure!, /^Codex turn failed: exceeded retry limit/);
  assert.equal(report.rateLimited, true);
});

Deno.test("shownCommand: one parsed action is the model's text; otherwise codex's whole command", () => {
  assert.equal(shownCommand({ command: "/bin/bash -c x", commandActions: [{ command: "x" }] }), "x");
  assert.equal(
    shownCommand({ command: "/bin/bash -c 'a | b'", commandActions: [{ command: "a" }, { command: "b" }] }),
    "/bin/bash -c 'a | b'",
  );
  assert.equal(shownCommand({}), undefined);
});
