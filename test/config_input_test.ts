/**
 * config.yaml and the duration flags as hostile input, through the real
 * launcher: every refusal is one line with its exit code, prompt (no hang on
 * a FIFO, no read of a huge file), and changes nothing: no task, no cache
 * holding another file's content, the config and its link target untouched.
 * @module
 */
import assert from "node:assert/strict";
import { type RunResult, type Sandbox, sandbox } from "./helpers.ts";

const GOOD = "default: a\nmodels:\n  a: { backend: scripted }\n";
const CACHE = ".config.cache.json";

function taskCount(home: string): number {
  try {
    return [...Deno.readDirSync(`${home}/tasks`)].length;
  } catch {
    return 0;
  }
}

/** Runs `start` on model a; the plan comes on stdin. */
function start(sb: Sandbox, extra: string[] = []): Promise<RunResult> {
  return sb.run(["start", "--title", "x", "--model", "a", "--plan", "-", ...extra], {
    stdin: "- [ ] a\n",
    timeoutMs: 20_000,
  });
}

/** One line on stderr matching `error`, nothing on stdout, exit `code`, no task. */
function assertRefused(sb: Sandbox, r: RunResult, code: number, error: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.match(r.stderr, error);
  assert.match(r.stderr, /^dispatch: [A-Z]/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/, "no stack trace");
  assert.equal(r.stdout, "");
  assert.equal(taskCount(sb.home), 0);
}

Deno.test("config input: every field is validated at load, naming the file, the field and what was expected", async (t) => {
  const cases: [string, RegExp][] = [
    [
      "limits: { timeout: abc }",
      /limits\.timeout: expected a duration more than zero \(e\.g\. 90s.*got "abc"/,
    ],
    ["limits: { stall: abc }", /limits\.stall: expected a duration more than zero/],
    ["limits: { timeout: 0 }", /limits\.timeout: expected a duration more than zero.*got 0$/m],
    ["limits: { stall: -5 }", /limits\.stall: expected a duration.*got -5/],
    ["limits: { timeout: '' }", /limits\.timeout: expected a duration.*got ""/],
    ["limits: { timeout: 0s }", /limits\.timeout: expected a duration/],
    ["limits: { stall: true }", /limits\.stall: expected a duration.*got true/],
    ["limits: { timeout: [1] }", /limits\.timeout: expected a duration/],
    ["limits: { timeout: .inf }", /limits\.timeout: expected a duration/],
    ["limits: { max_concurrent: 0 }", /limits\.max_concurrent: expected a whole number of at least 1, got 0/],
    [
      "limits: { max_concurrent: -2 }",
      /limits\.max_concurrent: expected a whole number of at least 1, got -2/,
    ],
    ["limits: { max_concurrent: 1.5 }", /limits\.max_concurrent: expected a whole number/],
    ["limits: { max_concurrent: two }", /limits\.max_concurrent: expected a whole number.*got "two"/],
    ["limits: { timout: 5m }", /\blimits: unknown key 'timout' \(known: max_concurrent, timeout, stall\)/],
    ["limit: { timeout: 5m }", /\(top level\): unknown key 'limit' \(known: default, backends/],
    [
      "backends:\n  s: { type: scripted, max_concurrent: 0 }",
      /backends\.s\.max_concurrent: expected a whole number/,
    ],
    [
      "backends:\n  s: { command: '' }",
      /backends\.s\.command: expected a shell command, got an empty string/,
    ],
    [
      "backends:\n  s: { type: scripted, env: { 'A=B': x } }",
      /backends\.s\.env\.A=B: expected an environment variable name/,
    ],
    [
      "backends:\n  s: { type: scripted, bni: x }",
      /backends\.s: unknown key 'bni' \(known: type, command, args/,
    ],
    ["aliases:\n  r: { model: a, promt: hi }", /aliases\.r: unknown key 'promt'/],
    ["aliases:\n  r: { model: a, tier: root }", /aliases\.r\.tier: expected read, edit or full, got "root"/],
    ["default: ''", /default: expected a model or alias name, got an empty string/],
  ];
  for (const [extra, error] of cases) {
    await t.step(extra.replace(/\n/g, " "), async () => {
      // `default: ''` replaces the default line; the others are added to a valid config
      const text = extra.startsWith("default:")
        ? `${extra}\nmodels:\n  a: { backend: scripted }\n`
        : `${GOOD}${extra}\n`;
      await using sb = await sandbox(text);
      const r = await start(sb);
      assertRefused(sb, r, 78, error);
      assert.match(r.stderr, new RegExp(`^dispatch: Invalid config in ${sb.home}/config\\.yaml: `));
      const show = await sb.run(["config", "show"]);
      assertRefused(sb, show, 78, error);
      assert.equal(await Deno.readTextFile(`${sb.home}/config.yaml`), text, "the config is untouched");
    });
  }
});

Deno.test("config input: valid durations and counts still load, a number meaning seconds", async () => {
  await using sb = await sandbox(
    `${GOOD}limits: { timeout: 2h, stall: 90, max_concurrent: 3 }\nbackends:\n  s: { type: scripted, max_concurrent: 1 }\n`,
  );
  const r = await sb.run(["config", "show"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).limits, { timeout: "2h", stall: 90, max_concurrent: 3 });
});

Deno.test("config input: a config cached by an earlier version is validated again", async () => {
  const text = `${GOOD}limits: { timeout: abc }\n`;
  await using sb = await sandbox(text);
  // what the earlier loader left: the unvalidated value, keyed by the file's mtime and size
  const info = await Deno.stat(`${sb.home}/config.yaml`);
  const config = {
    default: "a",
    backends: {},
    models: { a: { backend: "scripted" } },
    aliases: {},
    limits: { timeout: "abc" },
  };
  await Deno.writeTextFile(
    `${sb.home}/${CACHE}`,
    JSON.stringify({ mtimeMs: info.mtime!.getTime(), size: info.size, config }),
  );
  assertRefused(sb, await start(sb), 78, /limits\.timeout: expected a duration more than zero/);
});

Deno.test("config input: --timeout and --stall refuse zero and empty, which silently meant none", async (t) => {
  for (const flag of ["--timeout", "--stall"]) {
    for (const value of ["0", "", "0s", "-1m", "abc"]) {
      await t.step(`${flag} '${value}'`, async () => {
        await using sb = await sandbox(GOOD);
        // a value starting with '-' goes as --flag=value, which parseArgs takes as given
        const r = await start(sb, value.startsWith("-") ? [`${flag}=${value}`] : [flag, value]);
        const shown = value.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
        assertRefused(
          sb,
          r,
          65,
          new RegExp(
            `^dispatch: Invalid ${flag}: '${shown}' \\(use a duration more than zero, e\\.g\\. 90s, 30m`,
          ),
        );
        assert.equal(await Deno.readTextFile(`${sb.home}/config.yaml`), GOOD);
      });
    }
  }
  await using sb = await sandbox(GOOD);
  const r = await start(sb, ["--timeout", "30m", "--stall", "1m"]);
  assert.equal(r.code, 0, r.stderr);
});

/** A sandbox whose config.yaml is replaced by what `make` puts at its path. */
async function withConfigPath(make: (path: string, sb: Sandbox) => Promise<void>): Promise<Sandbox> {
  const sb = await sandbox(GOOD);
  await Deno.remove(`${sb.home}/config.yaml`);
  await make(`${sb.home}/config.yaml`, sb);
  return sb;
}

async function mkfifo(path: string): Promise<void> {
  const r = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.equal(r.code, 0, "mkfifo");
}

Deno.test("config input: a config path that is not a regular file is refused, read nowhere", async (t) => {
  const secret = "default: a\nmodels:\n  a: { backend: scripted, model: SECRET-FROM-TARGET }\n";
  const cases: [string, (path: string, sb: Sandbox) => Promise<void>, RegExp][] = [
    [
      "a symlink to a valid config",
      async (path, sb) => {
        await Deno.writeTextFile(`${sb.project}/elsewhere.yaml`, secret);
        await Deno.symlink(`${sb.project}/elsewhere.yaml`, path);
      },
      /^dispatch: Config refused: .*config\.yaml is a symlink \(only a regular file is read there.*put the file itself in its place\)$/m,
    ],
    ["a symlink to /dev/zero", (path) => Deno.symlink("/dev/zero", path), /config\.yaml is a symlink/],
    [
      "a dangling symlink",
      (path) => Deno.symlink("/nonexistent/config.yaml", path),
      /config\.yaml is a symlink/,
    ],
    [
      "a directory",
      (path) => Deno.mkdir(path),
      /^dispatch: Config refused: .*config\.yaml is a directory \(it must be a regular file\)$/m,
    ],
    [
      "a FIFO with no writer (open would block)",
      mkfifo,
      /config\.yaml is a FIFO \(named pipe\) \(it must be a regular file\)/,
    ],
  ];
  for (const [name, make, error] of cases) {
    await t.step(name, async () => {
      await using sb = await withConfigPath(make);
      for (const args of [["config", "show"], ["config", "default", "a"]]) {
        const r = await sb.run(args, { timeoutMs: 20_000 });
        assertRefused(sb, r, 78, error);
      }
      assertRefused(sb, await start(sb), 78, error);
      assert.equal(
        await Deno.lstat(`${sb.home}/${CACHE}`).then(() => true, () => false),
        false,
        "no cache",
      );
      if (name.startsWith("a symlink to a valid")) {
        assert.equal(
          await Deno.readTextFile(`${sb.project}/elsewhere.yaml`),
          secret,
          "the target is untouched",
        );
        assert.equal((await Deno.lstat(`${sb.home}/config.yaml`)).isSymlink, true, "the link is untouched");
      }
    });
  }
});

Deno.test("config input: a huge config is refused by its size, before it is read", async () => {
  // 50 MB, sparse: refused from its size alone (reading it would take seconds and gigabytes)
  await using sb = await withConfigPath(async (path) => {
    await Deno.writeTextFile(path, GOOD);
    await Deno.truncate(path, 50 * 1024 * 1024);
  });
  assertRefused(
    sb,
    await start(sb),
    78,
    /^dispatch: Config too large: .*config\.yaml is 52428800 bytes \(at most 1048576\)$/m,
  );
  assertRefused(sb, await sb.run(["config", "show"]), 78, /Config too large/);
  // just over the limit, and just at it (a valid YAML comment pads it)
  for (const [size, ok] of [[1024 * 1024 + 1, false], [1024 * 1024, true]] as const) {
    const padded = GOOD + "#".repeat(size - GOOD.length - 1) + "\n";
    await using sb = await sandbox(padded);
    const r = await sb.run(["config", "show"]);
    if (ok) assert.equal(r.code, 0, r.stderr);
    else assertRefused(sb, r, 78, /Config too large: .* is 1048577 bytes/);
  }
});

Deno.test("config input: NUL bytes and invalid UTF-8 are refused with the line", async (t) => {
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "NUL in a value",
      new TextEncoder().encode("default: a\nmodels:\n  a: { backend: scrip\0ted }\n"),
      /^dispatch: Config contains a NUL byte: .*config\.yaml line 3 \(it must be plain text; remove it\)$/m,
    ],
    ["NUL in a comment", new TextEncoder().encode(GOOD + "# \0\n"), /Config contains a NUL byte: .* line 4/],
    [
      "invalid UTF-8",
      new Uint8Array([...new TextEncoder().encode(GOOD), 0x23, 0xff, 0xfe, 0x0a]),
      /^dispatch: Config is not valid UTF-8 text: .*config\.yaml/m,
    ],
  ];
  for (const [name, bytes, error] of cases) {
    await t.step(name, async () => {
      await using sb = await withConfigPath((path) => Deno.writeFile(path, bytes));
      assertRefused(sb, await start(sb), 78, error);
      assertRefused(sb, await sb.run(["config", "show"]), 78, error);
      assert.deepEqual(await Deno.readFile(`${sb.home}/config.yaml`), bytes);
    });
  }
});

Deno.test("config input: a cache that is a FIFO, a link to /dev/zero or garbage is ignored and replaced", async (t) => {
  const cases: [string, (path: string) => Promise<void>][] = [
    ["a FIFO", mkfifo],
    ["a link to /dev/zero", (path) => Deno.symlink("/dev/zero", path)],
    ["not JSON", (path) => Deno.writeTextFile(path, "{{{")],
    ["JSON null", (path) => Deno.writeTextFile(path, "null")],
  ];
  for (const [name, make] of cases) {
    await t.step(name, async () => {
      await using sb = await sandbox(GOOD);
      await make(`${sb.home}/${CACHE}`);
      const r = await sb.run(["config", "show"], { timeoutMs: 20_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).default, "a");
      assert.equal((await Deno.lstat(`${sb.home}/${CACHE}`)).isFile, true, "replaced by a regular file");
    });
  }
});
