/**
 * `dispatch watch --stream` as the plugin's monitor runs it: a process of
 * its own on a sandbox home, a real worker, the prompt hook beside it.
 * @module
 */
import assert from "node:assert/strict";
import { BIN, type Sandbox, sandbox, startTask, waitFor, waitForState } from "./helpers.ts";

/** Waits until `cond` holds. */
function until(cond: () => boolean | Promise<boolean>, what: string): Promise<true> {
  return waitFor(what, async () => (await cond()) || undefined, 30_000);
}

function hook(sb: Sandbox, event: string, input: Record<string, unknown>) {
  return sb.run(["hook", event], {
    stdin: JSON.stringify({ hook_event_name: event, cwd: sb.project, ...input }),
  });
}

function context(stdout: string): string {
  return stdout.trim() === "" ? "" : JSON.parse(stdout).hookSpecificOutput.additionalContext;
}

/** A monitor process for `session`: its lines as they come, and its stdin to close. */
function monitor(
  sb: Sandbox,
  session: string,
  env: Record<string, string> = {},
  stdin: "piped" | "null" = "piped",
) {
  const child = new Deno.Command(BIN, {
    args: ["watch", "--stream", "--session", session],
    env: { ...sb.env, ...env },
    clearEnv: true,
    cwd: sb.project,
    stdin,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const read = (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      rest += chunk;
      const parts = rest.split("\n");
      rest = parts.pop()!;
      lines.push(...parts);
    }
  })();
  const stderr = new Response(child.stderr).text();
  return {
    child,
    lines,
    /**
     * Closes its stdin (Claude Code gone) and waits for it to exit. The monitor ignores an end of stdin in
     * the first second after it starts reading it, which is before it registers: so wait for it to
     * register (or exit), then past that second, whatever the load, never on the clock of the spawn.
     */
    async close() {
      let exited = false;
      void child.status.then(() => exited = true);
      if (stdin === "piped") {
        await until(async () => exited || (await registered(sb, session)).includes(child.pid), "it to start");
        await new Promise((r) => setTimeout(r, 1200));
        await child.stdin.close();
      }
      const status = await child.status;
      await read;
      return { code: status.code, stderr: await stderr };
    },
  };
}

async function registered(sb: Sandbox, session: string): Promise<number[]> {
  try {
    const r = JSON.parse(await Deno.readTextFile(`${sb.home}/sessions/${session}.json`));
    return (r.monitors ?? []).map((m: { pid: number }) => m.pid);
  } catch {
    return [];
  }
}

Deno.test("stream: a monitor process prints the question line, then the done line; the hook repeats neither", async () => {
  await using sb = await sandbox();
  const m = monitor(sb, "mon");
  await until(async () => (await registered(sb, "mon")).includes(m.child.pid), "the monitor to register");
  const id = await startTask(sb, "ask", ["--session", "mon"]);
  await until(() => m.lines.length >= 1, "the question line");
  assert.equal(
    m.lines[0],
    `? ${id} asks (question 1): "Which database should I use?" Reply with: dispatch answer ${id} --question 1 "<answer>"`,
  );
  assert.equal(context((await hook(sb, "UserPromptSubmit", { session_id: "mon" })).stdout), "");
  const watch = await sb.run(["watch", "--session", "mon", "--timeout", "5s"]);
  assert.equal(watch.code, 0);
  assert.match(watch.stdout, /push is monitor here/, "a background watch stands down while the monitor runs");

  assert.equal((await sb.run(["answer", id, "Postgres"])).code, 0);
  await waitForState(sb, id, ["done"]);
  await until(() => m.lines.length >= 2, "the done line");
  assert.match(
    m.lines[1]!,
    new RegExp(`^✓ ${id} done 3/3 in \\S+\\. Result: ${sb.home}/tasks/${id}/work/output\\.md$`),
  );
  assert.equal(context((await hook(sb, "UserPromptSubmit", { session_id: "mon" })).stdout), "");
  await new Promise((r) => setTimeout(r, 300));
  const { code, stderr } = await m.close();
  assert.equal(code, 0, stderr);
  assert.equal(m.lines.length, 2, `no other line: ${JSON.stringify(m.lines)}`);
  assert.deepEqual(await registered(sb, "mon"), [], "it took itself out when stdin closed");
});

Deno.test("stream: a killed monitor loses nothing (the hook tells it) and no longer silences the watch", async () => {
  await using sb = await sandbox();
  const m = monitor(sb, "crash");
  await until(async () => (await registered(sb, "crash")).includes(m.child.pid), "the monitor to register");
  m.child.kill("SIGKILL");
  await m.close();
  const id = await startTask(sb, "ask", ["--session", "crash"]);
  await waitForState(sb, id, ["waiting"]);
  assert.match(context((await hook(sb, "UserPromptSubmit", { session_id: "crash" })).stdout), /question 1/);
  const watch = await sb.run(["watch", "--session", "crash", "--timeout", "1s"]);
  assert.equal(watch.code, 124, "the dead monitor's entry does not make the watch stand down");
  const again = monitor(sb, "crash");
  await until(
    async () => (await registered(sb, "crash")).includes(again.child.pid),
    "the monitor to register",
  );
  await new Promise((r) => setTimeout(r, 300));
  await again.close();
  assert.deepEqual(again.lines, [], "a new monitor does not repeat what the hook told");
});

Deno.test("stream: SIGTERM and SessionEnd end it; inside a worker it prints nothing and exits", async () => {
  await using sb = await sandbox();
  const m = monitor(sb, "term");
  await until(async () => (await registered(sb, "term")).includes(m.child.pid), "the monitor to register");
  m.child.kill("SIGTERM");
  assert.equal((await m.close()).code, 0);
  assert.deepEqual(await registered(sb, "term"), []);

  const e = monitor(sb, "ends", {}, "null"); // a /dev/null stdin says nothing about the host
  await until(async () => (await registered(sb, "ends")).includes(e.child.pid), "the monitor to register");
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(await registered(sb, "ends"), [e.child.pid], "still running on a /dev/null stdin");
  await hook(sb, "SessionEnd", { session_id: "ends", reason: "other" });
  assert.equal((await e.child.status).code, 0, "SessionEnd ended the stream");
  await e.close();

  const w = monitor(sb, "term", { DISPATCH_TASK: "some-task-0001" });
  const { code } = await w.close();
  assert.equal(code, 0);
  assert.deepEqual(w.lines, []);
  assert.deepEqual(await registered(sb, "term"), [], "a worker's run registers nothing");
});
