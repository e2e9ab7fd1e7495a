import assert from "node:assert/strict";
import { ROOT, taskStatus, waitForState } from "./helpers.ts";
import { findBwrap } from "../src/proc/confine.ts";
import { eventsOf, git, repoSandbox, runScripted, scriptPlan, snapshot } from "./results_helpers.ts";
import { noticeFor } from "../src/render/notices.ts";
import type { JournalEvent } from "../src/store/journal.ts";

const COMMIT = 'git -c user.name=W -c user.email=w@example.com commit -q -am "worker commit"';

Deno.test("results: a worker that commits and one that leaves its work uncommitted both end with it on their branch", async () => {
  await using sb = await repoSandbox({ "a.txt": "a\n", "b.txt": "b\n" });
  const [committer, leaver] = await runScripted(sb, [
    ["commits it", ["printf 'a\\nmore\\n' > a.txt", COMMIT]],
    ["leaves it; rm -rf $(x) `y`", [
      "printf 'b\\nmore\\n' > b.txt",
      "echo new > 'we ird $(touch pwned);.txt'",
      "mkdir -p big && head -c 6000000 /dev/zero > big/blob.bin",
    ]],
  ]);
  for (const id of [committer, leaver]) assert.equal((await taskStatus(sb, id)).state, "done");
  const wt = `${sb.home}/worktrees/${leaver}`;
  // The leftovers are committed as dispatch, message from the title; nothing is left but the file over the cap.
  assert.equal(
    await git(wt, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s"),
    "dispatch <dispatch@localhost>|dispatch <dispatch@localhost>|dispatch: leaves it; rm -rf $(x) `y`",
  );
  assert.equal(await git(wt, "status", "--porcelain"), "?? big/");
  assert.match(
    await Deno.readTextFile(`${sb.home}/tasks/${leaver}/worker.log`),
    /not committed: big\/blob.bin \(over 5242880 bytes\)/,
  );
  await assert.rejects(Deno.stat(`${wt}/pwned`)); // a file name is never a command
  assert.equal(await git(sb.project, "show", `dispatch/${leaver}:we ird $(touch pwned);.txt`), "new");
  assert.equal(await git(sb.project, "show", `dispatch/${committer}:a.txt`), "a\nmore");
  assert.equal(await git(sb.project, "log", "-1", "--format=%an", `dispatch/${committer}`), "W"); // its own commit, nothing added
  // The done notice's change line, from counts only.
  const [done] = await eventsOf(sb, leaver, "done");
  assert.deepEqual(done!.changes, { commits: 1, files: 2, added: 2, removed: 0 });
  const notice = noticeFor(sb.home, done as unknown as JournalEvent)!;
  assert.equal(notice.split("\n")[1], `  branch dispatch/${leaver}: 1 commit, 2 files +2 \u22120`);
  // dispatch diff: the patch, --stat and --json against the base; the user's checkout was never touched.
  const diff = await sb.run(["diff", leaver]);
  assert.match(diff.stdout, /\+more/);
  assert.match((await sb.run(["diff", leaver, "--stat"])).stdout, /2 files changed, 2 insertions/);
  const json = JSON.parse((await sb.run(["diff", committer, "--json"])).stdout);
  assert.deepEqual([json.commits, json.files, json.added], [1, [{ path: "a.txt", added: 1, removed: 0 }], 1]);
  assert.equal(await git(sb.project, "status", "--porcelain"), "");
  // A task id is never a command either: refused before anything runs.
  for (const cmd of ["diff", "merge"]) {
    const r = await sb.run([cmd, "$(touch pwned);x"]);
    assert.equal(r.code, 65, r.stderr);
  }
  await assert.rejects(Deno.stat(`${sb.project}/pwned`));
  // The prompt asked the worker to commit.
  assert.match(await Deno.readTextFile(`${sb.home}/tasks/${leaver}/prompt.md`), /commit your changes here/);
});

Deno.test("results: .worktreeinclude copies ignored files only, never from outside, and the commit on end never takes them", async () => {
  await using sb = await repoSandbox({
    ".gitignore": ".env\nlocal/\nlink.env\n",
    ".worktreeinclude": ".env\nlocal/\n../../etc/passwd\n/etc/hostname\nlink.env\ntracked.txt\n",
    "tracked.txt": "t\n",
  });
  await Deno.writeTextFile(`${sb.project}/.env`, "SECRET=1\n");
  await Deno.mkdir(`${sb.project}/local`);
  await Deno.writeTextFile(`${sb.project}/local/conf.json`, "{}\n");
  await Deno.symlink("/etc/passwd", `${sb.project}/link.env`);
  const [id] = await runScripted(sb, [["unignores", ["printf 'x\\n' > .gitignore", "cat .env > seen.txt"]]]);
  assert.equal((await taskStatus(sb, id)).state, "done");
  const wt = `${sb.home}/worktrees/${id}`;
  assert.equal(await Deno.readTextFile(`${wt}/.env`), "SECRET=1\n");
  assert.equal(await Deno.readTextFile(`${wt}/local/conf.json`), "{}\n");
  await assert.rejects(Deno.lstat(`${wt}/link.env`)); // a link is never followed out
  await assert.rejects(Deno.stat(`${sb.home}/etc`));
  await assert.rejects(Deno.stat(`${wt}/passwd`));
  // The worker un-ignored .env: the commit on end still leaves it (and local/) out of the branch.
  const files = (await git(sb.project, "ls-tree", "-r", "--name-only", `dispatch/${id}`)).split("\n");
  assert.deepEqual(files.sort(), [".gitignore", ".worktreeinclude", "seen.txt", "tracked.txt"]);
  const log = await Deno.readTextFile(`${sb.home}/tasks/${id}/worker.log`);
  assert.match(log, /copied into the worktree \(.worktreeinclude\): .env, local\/conf.json/);
  assert.match(log, /not committed: .*\.env \(copied by .worktreeinclude\)/);
});

Deno.test("results: a failing setup command fails the task with the command named and its output in the log", async () => {
  await using sb = await repoSandbox(
    { "a.txt": "a\n" },
    'worktree: { setup: "echo config-setup > setup.out" }',
  );
  // Repository content chose this command: it runs confined, so its writes outside the worktree fail.
  const bwrap = findBwrap({ PATH: `${ROOT}/test/clis/node_modules/.bin` });
  if (bwrap) sb.env.DISPATCH_BWRAP = bwrap;
  const hostile = `echo installing; echo x > "$DISPATCH_HOME/pwned"; echo x > ${sb.project}/pwned; exit 3`;
  await Deno.writeTextFile(`${sb.project}/.dispatch.yaml`, `worktree: { setup: '${hostile}' }\n`);
  await git(sb.project, "add", ".dispatch.yaml");
  await git(sb.project, "commit", "-q", "-m", "project setup");
  const [failed] = await runScripted(sb, [["set up", ["echo never > ran.txt"]]]);
  const s = await taskStatus(sb, failed);
  assert.equal(s.state, "failed");
  assert.equal(s.reason, `Worktree setup failed: '${hostile}' exited 3`);
  const log = await Deno.readTextFile(`${sb.home}/tasks/${failed}/worker.log`);
  assert.ok(
    log.includes(`worktree setup (from ${sb.project}/.dispatch.yaml): ${hostile}\ninstalling\n`),
    log,
  );
  if (bwrap) {
    await assert.rejects(Deno.stat(`${sb.home}/pwned`));
    await assert.rejects(Deno.stat(`${sb.project}/pwned`));
  }
  await assert.rejects(Deno.stat(`${sb.home}/worktrees/${failed}/ran.txt`)); // the worker never started
  // Without the project's command, config.yaml's runs, before the worker, in the worktree.
  await git(sb.project, "rm", "-q", ".dispatch.yaml");
  await git(sb.project, "commit", "-q", "-m", "no project setup");
  await Deno.writeTextFile(`${sb.project}/a.txt`, "changed\n"); // the start line warns of what the worker will not see
  const started = await sb.run(["start", "--title", "set up ok", "--worktree", "--plan", "-"], {
    stdin: scriptPlan(["cat setup.out > seen.txt"]),
  });
  assert.match(started.stdout, /; your checkout has 1 uncommitted file\(s\) the worker will not see\)\./);
  const ok = /^Dispatched (\S+) /.exec(started.stdout)![1]!;
  await waitForState(sb, ok, ["done", "failed"]);
  assert.equal((await taskStatus(sb, ok)).state, "done");
  assert.equal(await git(sb.project, "show", `dispatch/${ok}:seen.txt`), "config-setup");
});

Deno.test("results: two tasks changing the same lines: overlap flagged first, the second merge refused with the file named, nothing changed", async () => {
  const shared = "$(touch pwned);'q'.txt"; // a file name that is a command to any shell that runs it unquoted
  await using sb = await repoSandbox({ [shared]: "line\n", "other.txt": "o\n" });
  const quoted = `'${shared.replaceAll("'", `'\\''`)}'`;
  const [first, second] = await runScripted(sb, [["first", [`echo first > ${quoted}`]], [
    "second",
    [`echo second > ${quoted}`, "echo x >> other.txt"],
  ]]);
  // The done notice, the board and --json flag the overlap.
  const notices = await Promise.all([first, second].map(async (id) => (await eventsOf(sb, id, "done"))[0]!));
  // Whichever ended last names the other, still unmerged (the first to end had nothing to overlap yet).
  const other = (e: Record<string, unknown>) => e.task === first ? second : first;
  assert.ok(
    notices.some((e) => JSON.stringify(e.overlaps ?? []).includes(other(e))),
    JSON.stringify(notices),
  );
  const status = JSON.parse((await sb.run(["status", "--json"])).stdout);
  const byId = new Map(status.tasks.map((t: { id: string }) => [t.id, t]));
  assert.deepEqual((byId.get(first) as { overlaps: unknown }).overlaps, [{ task: second, files: [shared] }]);
  assert.ok((await sb.run(["status"])).stdout.includes(`! overlaps ${second} in ${shared}`));
  const firstMerge = await sb.run(["merge", first]);
  assert.equal(firstMerge.code, 0);
  assert.ok(
    firstMerge.stdout.includes(`Overlap: ${second} (not merged yet) also changes ${shared}`),
    firstMerge.stdout,
  );
  const before = await snapshot(sb.project);
  const refused = await sb.run(["merge", second]);
  assert.equal(refused.code, 1);
  assert.ok(!refused.stdout.includes("Overlap:"), refused.stdout); // the first is merged: no overlap left
  assert.ok(
    refused.stdout.includes(
      `Not merged: dispatch/${second} conflicts with main in ${shared}; main and your checkout are unchanged`,
    ),
    refused.stdout,
  );
  const next = /Next: (dispatch resume .*)/.exec(refused.stdout)![1]!;
  assert.equal(await snapshot(sb.project), before);
  assert.equal((await taskStatus(sb, second)).merged, null);
  // The suggested command is safe to paste: the file name stays a word.
  const echoed = await new Deno.Command("sh", {
    args: ["-c", next.replace(/^dispatch resume \S+ --message /, "printf '%s' ")],
    cwd: sb.project,
    stdout: "piped",
  }).output();
  assert.equal(
    new TextDecoder().decode(echoed.stdout),
    `rebase onto main and resolve the conflict in ${shared}`,
  );
  await assert.rejects(Deno.stat(`${sb.project}/pwned`));
});

Deno.test("results: --check failing leaves the branch where it was, passing merges", async () => {
  await using sb = await repoSandbox({ "a.txt": "a\n" });
  const [id] = await runScripted(sb, [["checked", ["echo ok > result.txt"]]]);
  const before = await snapshot(sb.project);
  const failing = await sb.run(["merge", id, "--check", "test -f result.txt && grep -q nope result.txt"]);
  assert.equal(failing.code, 1);
  assert.match(
    failing.stdout,
    /Not merged: the check 'test -f result.txt && grep -q nope result.txt' exited 1 on the merged tree; main is unchanged/,
  );
  assert.equal(await snapshot(sb.project), before);
  assert.equal(
    await git(sb.project, "worktree", "list", "--porcelain").then((l) => l.split("worktree ").length - 1),
    2,
  );
  const passing = await sb.run(["merge", id, "--check", "grep -q ok result.txt"]);
  assert.equal(passing.code, 0, passing.stdout + passing.stderr);
  assert.equal(await Deno.readTextFile(`${sb.project}/result.txt`), "ok\n");
  assert.match(
    await git(sb.project, "log", "-1", "--format=%s %p"),
    new RegExp(`^Merge dispatch/${id}: checked \\w+ \\w+$`),
  );
});

Deno.test("results: the user's modified and untracked files survive every merge; a merge that would touch them is refused", async () => {
  await using sb = await repoSandbox({ ".gitignore": "*.log\n", "a.txt": "a\n", "b.txt": "b\n" });
  const [touches, clean] = await runScripted(sb, [
    ["touches", [
      "echo worker > a.txt",
      "echo worker > new.txt",
      "echo worker > app.log",
      "git add -f app.log",
    ]],
    ["clean", ["echo B >> b.txt"]],
  ]);
  await Deno.writeTextFile(`${sb.project}/a.txt`, "mine\n"); // modified
  await Deno.writeTextFile(`${sb.project}/new.txt`, "mine too\n"); // untracked
  await Deno.writeTextFile(`${sb.project}/app.log`, "ignored but mine\n"); // ignored: git would overwrite it
  await Deno.writeTextFile(`${sb.project}/notes.txt`, "untracked, elsewhere\n");
  const before = await snapshot(sb.project);
  const refused = await sb.run(["merge", touches]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stdout,
    /would change files you have changed or not committed in .*: a.txt, app.log, new.txt/,
  );
  assert.equal(await snapshot(sb.project), before);
  // A merge that touches none of them goes through and leaves them as they were.
  assert.equal((await sb.run(["merge", clean])).code, 0);
  assert.equal(await Deno.readTextFile(`${sb.project}/a.txt`), "mine\n");
  assert.equal(await Deno.readTextFile(`${sb.project}/new.txt`), "mine too\n");
  assert.equal(await Deno.readTextFile(`${sb.project}/app.log`), "ignored but mine\n");
  assert.equal(await Deno.readTextFile(`${sb.project}/notes.txt`), "untracked, elsewhere\n");
  assert.equal(await Deno.readTextFile(`${sb.project}/b.txt`), "b\nB\n");
});

Deno.test("results: two tasks on different files merge one after the other, from two processes at once; gc then removes worktrees and branches", async () => {
  await using sb = await repoSandbox({ "a.txt": "a\n", "b.txt": "b\n" });
  const [one, two] = await runScripted(sb, [["one", ["echo A >> a.txt"]], ["two", ["echo B >> b.txt"]]]);
  const status = JSON.parse((await sb.run(["status", "--json"])).stdout);
  assert.deepEqual(status.tasks.map((t: { overlaps: unknown[] }) => t.overlaps), [[], []]);
  // Two merges of one repository at once: the lock makes them one after the other, both land.
  const [r1, r2] = await Promise.all([sb.run(["merge", one, "--squash"]), sb.run(["merge", two])]);
  assert.equal(r1.code, 0, r1.stdout + r1.stderr);
  assert.equal(r2.code, 0, r2.stdout + r2.stderr);
  assert.match(r1.stdout, new RegExp(`^Merged ${one} into main \\(\\w+, squashed\\)$`, "m"));
  assert.equal(await Deno.readTextFile(`${sb.project}/a.txt`), "a\nA\n");
  assert.equal(await Deno.readTextFile(`${sb.project}/b.txt`), "b\nB\n");
  assert.equal(await git(sb.project, "rev-list", "--count", "--first-parent", "HEAD"), "3"); // one on top of the other
  assert.equal(await git(sb.project, "status", "--porcelain"), "");
  assert.equal((await eventsOf(sb, two, "merged")).length, 1);
  assert.equal(((await taskStatus(sb, one)).merged as { into: string }).into, "main");
  assert.equal(
    (await sb.run(["merge", one])).stdout,
    `Already merged: ${one} went into main (${
      ((await taskStatus(sb, one)).merged as { commit: string }).commit.slice(0, 12)
    })\n`,
  );
  const gc = await sb.run(["gc", "--older-than", "0"]);
  assert.match(gc.stdout, new RegExp(`Removed ${one} and `));
  assert.match(gc.stdout, new RegExp(`Removed ${two} and `));
  assert.equal(await git(sb.project, "branch", "--list", "dispatch/*"), ""); // the squashed one's branch went too
  assert.equal(
    await git(sb.project, "worktree", "list", "--porcelain").then((l) => l.split("worktree ").length),
    2,
  );
});
