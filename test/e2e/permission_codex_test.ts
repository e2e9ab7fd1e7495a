/**
 * The codex permission relay end to end: the real codex 0.169.0 behind
 * `dispatch _codex-relay` (codex app-server), offline against the mock
 * Responses API. The mock makes the worker run `node` writing a file under
 * /var/tmp, outside the project, the task folder and /tmp (which
 * workspace-write allows): it asks to run it outside the sandbox, as a real
 * model does after a sandbox refusal.
 * @module
 */
import assert from "node:assert/strict";
import { processesOfTask } from "../helpers.ts";
import {
  installed,
  promptPaths,
  RESUMED,
  toolCall,
  waitUntil,
  workerLog,
  type WorkerSandbox,
  workerSandbox,
} from "./worker_e2e.ts";
import type { Reply, Script } from "../mock/types.ts";

const ignore = !installed("codex");

/** A fresh folder under /var/tmp for the marker, removed after the test. */
async function markerDir(): Promise<AsyncDisposable & { file: string; written(): Promise<boolean> }> {
  const dir = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "dispatch-perm-" });
  const file = `${dir}/approved.txt`;
  return {
    file,
    written: () => Deno.stat(file).then(() => true, () => false),
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/**
 * The model, in each turn: the command `times` times, asked to run outside
 * the sandbox (as a real model does after a sandbox refusal), then both items
 * ticked, then a closing text.
 */
function escalating(command: string, times = 1): Script {
  const escalated: Reply = {
    tool: {
      name: "exec_command",
      input: { cmd: command, sandbox_permissions: "require_escalated", justification: "Write the marker?" },
    },
  };
  return (req) => {
    if (req.toolNames.length === 0) return { text: "Mock side reply" };
    const paths = promptPaths(req);
    if (!paths) return { text: "mock: no dispatch prompt found in the conversation" };
    // The relay steers a denial's reason in as a user message: the turn goes on from there.
    const step = req.turnToolResults.length + (req.lastUserText.includes("The user denied") ? 1 : 0);
    if (step < times) return escalated;
    if (step < times + 2) return toolCall("codex", req, paths, { tick: step === times ? "first" : "second" });
    return { text: req.lastUserText.includes(RESUMED) ? "Resumed and done." : "Done." };
  };
}

function nodeWrite(file: string): string {
  return `node -e "require('fs').writeFileSync('${file}','ran')"`;
}

/** Starts a task whose worker asks; resolves when the permission question is open. */
async function startAsking(w: WorkerSandbox, title: string, command: string) {
  const id = await w.start(title);
  const waiting = await w.waitState(id, ["waiting"]);
  const questions = waiting.questions as { n: number; kind?: string; request?: Record<string, unknown> }[];
  assert.equal(questions.length, 1, JSON.stringify(questions));
  assert.equal(questions[0]!.kind, "permission");
  assert.equal(
    questions[0]!.request?.command,
    command,
    "the question names the command as the model wrote it",
  );
  assert.equal(questions[0]!.request?.cwd, w.sb.project);
  return { id, n: questions[0]!.n };
}

/** How many question files the task's worker wrote. */
async function questionFiles(w: WorkerSandbox, id: string): Promise<number> {
  return (await Array.fromAsync(Deno.readDir(`${w.sb.home}/tasks/${id}/work/questions`))).length;
}

async function answer(w: WorkerSandbox, id: string, n: number, ...words: string[]): Promise<void> {
  const r = await w.sb.run(["answer", id, "--question", String(n), ...words]);
  assert.equal(r.code, 0, r.stderr);
}

Deno.test(
  {
    name: "codex relay: always runs the escalated command, and its repeat without a second question",
    ignore,
  },
  async () => {
    await using marker = await markerDir();
    const command = nodeWrite(marker.file);
    await using w = await workerSandbox("codex", escalating(command, 2));
    const { id, n } = await startAsking(w, "codex always", command);
    assert.equal(await marker.written(), false, "nothing ran before the answer");
    await answer(w, id, n, "always");
    const done = await w.waitState(id, ["done", "failed"]);
    assert.equal(done.state, "done", `${done.reason}\n${(await workerLog(w, id)).slice(-3000)}`);
    assert.equal(await Deno.readTextFile(marker.file), "ran");
    assert.equal(await questionFiles(w, id), 1, "the granted repeat was not asked");
    const results = w.server.modelRequests().at(-1)!.normalized!.turnToolResults;
    assert.ok(
      results.length >= 2 && !results.slice(0, 2).some((t) => /rejected|EROFS/.test(t)),
      results.join("|"),
    );
  },
);

Deno.test(
  { name: "codex relay: deny keeps the command from running; the reason reaches the model", ignore },
  async () => {
    await using marker = await markerDir();
    const command = nodeWrite(marker.file);
    await using w = await workerSandbox("codex", escalating(command));
    const { id, n } = await startAsking(w, "codex deny", command);
    await answer(w, id, n, "deny", "not on this machine");
    const done = await w.waitState(id, ["done", "failed"]);
    assert.equal(done.state, "done", String(done.reason));
    assert.equal(await marker.written(), false);
    const told = w.server.modelRequests().some((r) =>
      r.normalized!.texts.some((t) => t.includes("not on this machine"))
    );
    assert.ok(told, "the user's reason is in a later model request");
  },
);

Deno.test({
  name: "codex relay: killed while the request waits, allow resumes the thread and the command runs",
  ignore,
}, async () => {
  await using marker = await markerDir();
  const command = nodeWrite(marker.file);
  await using w = await workerSandbox("codex", escalating(command));
  const { id, n } = await startAsking(w, "codex killed", command);
  // The relay and its app-server die; the wrapper survives to record the exit code.
  for (const pid of processesOfTask(id)) {
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    if (!cmdline.startsWith("sh\0")) Deno.kill(pid, "SIGKILL");
  }
  const exited = await w.waitExited(id);
  assert.equal(exited.state, "waiting", `a question is open: ${exited.state} (${exited.reason})`);
  await answer(w, id, n, "allow");
  const done = await w.waitState(id, ["done", "failed"]);
  assert.equal(done.state, "done", `${done.reason}\n${(await workerLog(w, id)).slice(-3000)}`);
  assert.equal(done.native_session, exited.native_session, "the same thread continued");
  await waitUntil("the marker", () => marker.written(), 5_000);
  assert.deepEqual((await w.status(id)).questions, []);
  const resumed = w.server.modelRequests().map((r) => r.normalized!).find((r) =>
    r.lastUserText.includes(RESUMED)
  );
  assert.match(resumed?.lastUserText ?? "", /The user allowed running .* run it again now/);
  assert.equal(
    await questionFiles(w, id),
    1,
    "the repeated request was answered from the stored answer, not asked again",
  );
});
