/**
 * Invariant 9, private files: after a task's whole life (start, a question,
 * its answer, a note, done, status and result), every folder dispatch made
 * under DISPATCH_HOME is 0700 and every file it or its wrapper made is 0600.
 * The one file the worker itself writes (its summary, `output.md`) keeps the
 * user's umask, as every file a worker writes in the user's repository must.
 */
import assert from "node:assert/strict";
import { sandbox, startTask, waitForState } from "../helpers.ts";

/** Files the worker writes itself, with the user's umask (not dispatch's to make private). */
const WORKER_WRITTEN = new Set(["output.md"]);

async function* walk(dir: string): AsyncGenerator<{ path: string; info: Deno.FileInfo }> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name === ".cache") continue; // Deno's own cache: the sandbox's HOME is DISPATCH_HOME
    const path = `${dir}/${entry.name}`;
    const info = await Deno.lstat(path);
    yield { path, info };
    if (info.isDirectory) yield* walk(path);
  }
}

Deno.test("modes: every folder under DISPATCH_HOME is 0700 and every file dispatch makes is 0600", async () => {
  await using sb = await sandbox();
  await Deno.chmod(`${sb.home}/config.yaml`, 0o600); // the test wrote it; dispatch did not
  const id = await startTask(sb, "scripted-ask");
  await waitForState(sb, id, ["waiting"]);
  assert.equal((await sb.run(["note", id, "prefer small changes"])).code, 0);
  const answered = await sb.run(["answer", id, "Use PostgreSQL"]);
  assert.equal(answered.code, 0, answered.stderr);
  assert.equal((await waitForState(sb, id, ["done", "failed"])).state, "done");
  for (const args of [["status"], ["status", "--all", "--json"], ["result", id], ["logs", id]]) {
    assert.equal((await sb.run(args)).code, 0, args.join(" "));
  }
  const wrong: string[] = [];
  const seen = new Set<string>();
  for await (const { path, info } of walk(sb.home)) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    seen.add(name);
    const mode = info.mode! & 0o777;
    const want = info.isDirectory ? 0o700 : 0o600;
    if (info.isSymlink || WORKER_WRITTEN.has(name)) continue;
    if (mode !== want) wrong.push(`${path.slice(sb.home.length)} ${mode.toString(8)}`);
  }
  assert.deepEqual(wrong, []);
  for (
    const name of ["worker.log", "exit_code", "state.json", "task.json", "journal.jsonl", "001.json", "lock"]
  ) {
    assert.ok(seen.has(name), `${name} was made (and checked)`);
  }
});
