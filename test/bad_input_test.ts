import assert from "node:assert/strict";
import { sandbox, startTask, waitForState } from "./helpers.ts";

function taskCount(home: string): number {
  try {
    return [...Deno.readDirSync(`${home}/tasks`)].length;
  } catch {
    return 0;
  }
}

async function journalText(home: string): Promise<string> {
  return await Deno.readTextFile(`${home}/journal.jsonl`).catch(() => "");
}

Deno.test("bad input: one clear line, a distinct exit code, and nothing changed", async (t) => {
  await using sb = await sandbox();
  const cases: { name: string; args: string[]; stdin?: string; code: number; error: RegExp }[] = [
    {
      name: "empty plan",
      args: ["start", "--title", "x", "--model", "ask", "--plan", "-"],
      stdin: "  \n",
      code: 65,
      error: /^dispatch: Empty plan: give a checklist/,
    },
    {
      name: "plan without items",
      args: ["start", "--title", "x", "--model", "ask", "--plan", "-"],
      stdin: "just prose\n",
      code: 65,
      error: /Plan has no checklist items/,
    },
    {
      name: "huge plan",
      args: ["start", "--title", "x", "--model", "ask", "--plan", "-"],
      stdin: "- [ ] a\n" + "x".repeat(70_000),
      code: 65,
      error: /Plan too large: \d+ bytes \(limit 65536\)/,
    },
    {
      name: "missing plan file",
      args: ["start", "--title", "x", "--model", "ask", "--plan", "nope.md"],
      code: 65,
      error: /Plan file not found: nope.md/,
    },
    {
      name: "unknown model",
      args: ["start", "--title", "x", "--model", "gpt-99", "--plan", "-"],
      stdin: "- [ ] a\n",
      code: 65,
      error: /Unknown model: 'gpt-99' \(available: .*ask.*\)/,
    },
    {
      name: "missing title",
      args: ["start", "--model", "ask", "--plan", "-"],
      stdin: "- [ ] a\n",
      code: 2,
      error: /Missing --title/,
    },
    {
      name: "bad tier",
      args: ["start", "--title", "x", "--tier", "root", "--plan", "-"],
      stdin: "- [ ] a\n",
      code: 2,
      error: /Invalid --tier: 'root' \(use read, edit or full\)/,
    },
    {
      name: "bad timeout",
      args: ["start", "--title", "x", "--timeout", "soon", "--plan", "-"],
      stdin: "- [ ] a\n",
      code: 65,
      error: /Invalid --timeout: 'soon'/,
    },
    {
      name: "missing cwd",
      args: ["start", "--title", "x", "--cwd", "/no/such/dir", "--plan", "-"],
      stdin: "- [ ] a\n",
      code: 65,
      error: /Working directory not found: \/no\/such\/dir/,
    },
    { name: "unknown flag", args: ["start", "--titel", "x"], code: 2, error: /Unknown option '--titel'/ },
    { name: "task id with a slash", args: ["status", "a/b"], code: 65, error: /Invalid task id: 'a\/b'/ },
    { name: "task id with dots", args: ["answer", "..", "hi"], code: 65, error: /Invalid task id: '\.\.'/ },
    {
      name: "unknown task",
      args: ["answer", "nope-0000", "hi"],
      code: 66,
      error: /No such task: nope-0000/,
    },
    { name: "unknown command", args: ["strat"], code: 2, error: /Unknown command: 'strat'/ },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const beforeTasks = taskCount(sb.home);
      const beforeJournal = await journalText(sb.home);
      const r = await sb.run(c.args, { stdin: c.stdin });
      assert.equal(r.code, c.code, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
      assert.match(r.stderr.trim(), c.error);
      assert.equal(r.stdout, "");
      assert.equal(taskCount(sb.home), beforeTasks);
      assert.equal(await journalText(sb.home), beforeJournal);
    });
  }
});

Deno.test("bad input: a malformed config names the file, the field path and what was expected", async (t) => {
  const configs: [string, RegExp][] = [
    [
      "models:\n  opus: { backend: 42 }\n",
      /config\.yaml: models\.opus\.backend: Invalid input: expected string, received number/,
    ],
    ["models:\n  opus: { backend: nowhere }\n", /models\.opus\.backend: unknown backend 'nowhere'/],
    ["default: [\n", /Invalid YAML in .*config\.yaml/],
    ["aliases:\n  rev: { model: ghost }\n", /aliases\.rev\.model: unknown model 'ghost'/],
    ["backends:\n  mine: { args: [1] }\n", /backends\.mine\.args\.0: Invalid input: expected string/],
    ["- a list\n", /expected a mapping/],
  ];
  for (const [text, error] of configs) {
    await t.step(text.split("\n")[0]!, async () => {
      await using sb = await sandbox(text);
      const r = await sb.run(["start", "--title", "x", "--model", "opus", "--plan", "-"], {
        stdin: "- [ ] a\n",
      });
      assert.equal(r.code, 78, r.stderr);
      assert.match(r.stderr, error);
      assert.equal(r.stderr.trim().split("\n").length, 1);
      assert.equal(taskCount(sb.home), 0);
      assert.equal(await Deno.readTextFile(`${sb.home}/config.yaml`), text, "the config is untouched");
    });
  }
});

Deno.test("bad input: answering a task with no open question is a clear error", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "tick_all");
  await waitForState(sb, id, ["done"]);
  const r = await sb.run(["answer", id, "hello"]);
  assert.equal(r.code, 1);
  // An ended task cannot receive an answer: refused with how it ended (issue 8, invariant 4).
  assert.match(r.stderr, new RegExp(`Cannot answer: task ${id} has ended \\(done: All items done\\)`));
  const empty = await sb.run(["answer", id, "  "]);
  assert.match(empty.stderr, /Empty answer/);
});

Deno.test("bad input: files and folders are private (0600/0700)", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "tick_all");
  await waitForState(sb, id, ["done"]);
  const dir = `${sb.home}/tasks/${id}`;
  assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
  for (const d of ["work", "work/questions", "answers"]) {
    assert.equal((await Deno.stat(`${dir}/${d}`)).mode! & 0o777, 0o700, d);
  }
  for (const f of ["task.json", "state.json", "work/plan.md", "prompt.md"]) {
    assert.equal((await Deno.stat(`${dir}/${f}`)).mode! & 0o777, 0o600, f);
  }
  assert.equal((await Deno.stat(`${sb.home}/journal.jsonl`)).mode! & 0o777, 0o600);
});

Deno.test("bad input: a tier the worker CLI cannot honour is refused up front, nothing created", async () => {
  await using sb = await sandbox(
    "default: comp\nbackends:\n  cursor: { type: cursor }\nmodels:\n  comp: { backend: cursor }\n",
  );
  const r = await sb.run(["start", "--title", "x", "--tier", "read", "--plan", "-"], {
    stdin: "- [ ] a\n",
  });
  assert.equal(r.code, 78, r.stderr);
  assert.match(r.stderr, /read/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.equal(taskCount(sb.home), 0);
});
