/**
 * Installing the plugin the way Claude Code does it: a copy of the
 * repository (what a marketplace clone holds), `npm ci --ignore-scripts` in
 * it, then `claude plugin marketplace add` + `claude plugin install`
 * offline, and a `claude -p` session without --plugin-dir that uses it.
 * The launcher must find the native deno that npm put under
 * node_modules/@deno/<platform>/ and never fall back to npx or node.
 * Where no npm ci ran in the folder Claude Code runs the plugin from (a
 * local-folder marketplace, --plugin-dir on a bare clone), the launcher
 * links the node_modules of the cache copy, or installs one once with npm
 * into the plugin's data folder, and the hooks never show an error.
 * @module
 */
import assert from "node:assert/strict";
import { claudeEnv, cliInstalled, cliPath, prepareHome } from "../mock/cli_env.ts";
import { startMockServer } from "../mock/mock_server.ts";
import { ROOT, waitFor } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";

const ignore = !cliInstalled("claude");
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

async function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; timeoutMs?: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    clearEnv: true,
    stdin: "null",
    signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
  }).output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** Copies the files git would clone (tracked plus not-ignored new ones): no node_modules. */
async function copyRepo(dest: string): Promise<void> {
  const ls = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  // node_modules is never cloned (in a git worktree it may be an untracked symlink, which .gitignore's
  // "node_modules/" does not match).
  const files = decode(ls.stdout).split("\0").filter((f) => f && !/(^|\/)node_modules(\/|$)/.test(f));
  for (const file of files) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(`${ROOT}/${file}`);
    } catch {
      continue; // deleted in the work tree
    }
    const target = `${dest}/${file}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(`${ROOT}/${file}`, target);
    await Deno.chmod(target, info.mode! & 0o777);
  }
}

/** A PATH entry whose npx, node and deno only leave a mark: the launcher must use none of them. */
async function trapDir(dir: string): Promise<string> {
  await Deno.mkdir(dir);
  for (const name of ["npx", "node", "deno"]) {
    await Deno.writeTextFile(`${dir}/${name}`, `#!/bin/sh\necho ${name} >> "${dir}/called"\nexit 97\n`);
    await Deno.chmod(`${dir}/${name}`, 0o755);
  }
  return dir;
}

Deno.test({
  name:
    "install: a clone after npm ci --ignore-scripts runs the native deno; marketplace install works offline",
  ignore,
  async fn(t) {
    await using tmpDir = await tempDir("dispatch-install-");
    const tmp = tmpDir.path;
    await using mock = await startMockServer({ script: () => ({ text: "ok" }) });
    const copy = `${tmp}/plugin`;
    await copyRepo(copy);
    const traps = await trapDir(`${tmp}/traps`);
    const env = { PATH: `${traps}:/usr/bin:/bin`, HOME: tmp, DISPATCH_HOME: `${tmp}/home` };

    await t.step(
      "before npm ci, where npm cannot run: one try, then one clear line naming the fix",
      async () => {
        // The traps' node is first on PATH, so npm (a node script) fails like it would with no node at all.
        const before = await run(`${copy}/bin/dispatch`, ["--version"], { cwd: tmp, env });
        assert.equal(before.code, 69, before.stderr);
        assert.match(
          before.stderr,
          /^dispatch: installing the pinned Deno and packages with npm into .* \(once, about 20 s\)\ndispatch: Deno not found: run 'npm ci' in .*\(npm's log: .*install\.log\)\n$/,
        );
        await Deno.remove(`${traps}/called`); // npm's node was the trap: expected here, not after npm ci
      },
    );

    await t.step("after npm ci --ignore-scripts: the native deno under node_modules/@deno", async () => {
      // What Claude Code runs in a marketplace install (the registry or npm's cache).
      const npm = await run("npm", [
        "ci",
        "--ignore-scripts",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
      ], {
        cwd: copy,
        env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: Deno.env.get("HOME") ?? tmp },
        timeoutMs: 180_000,
      });
      assert.equal(npm.code, 0, npm.stderr);
      const arch = Deno.build.arch === "x86_64" ? "x64" : "arm64";
      const pkg = Deno.build.os === "linux" ? `linux-${arch}-glibc` : `${Deno.build.os}-${arch}`;
      assert.ok((await Deno.stat(`${copy}/node_modules/@deno/${pkg}/deno`)).isFile);

      // Through a symlink, from another directory, with npx/node/deno traps first on PATH.
      await Deno.mkdir(`${tmp}/bin`);
      await Deno.symlink(`${copy}/bin/dispatch`, `${tmp}/bin/dispatch`);
      const after = await run(`${tmp}/bin/dispatch`, ["--version"], { cwd: tmp, env });
      assert.equal(after.code, 0, after.stderr);
      assert.match(after.stdout, /^dispatch \d+\.\d+\.\d+/);
      const status = await run(`${tmp}/bin/dispatch`, ["status"], { cwd: tmp, env });
      assert.equal(status.code, 0, status.stderr);
      assert.equal(
        await Deno.readTextFile(`${traps}/called`).catch(() => ""),
        "",
        "npx, node or deno was called",
      );
    });

    await t.step("marketplace add + install, then a session without --plugin-dir uses it", async () => {
      const home = `${tmp}/claude`;
      await prepareHome("claude", home);
      const project = `${tmp}/project`;
      await Deno.mkdir(`${project}/.git`, { recursive: true });
      const cenv = { ...claudeEnv(home, mock.url), DISPATCH_HOME: `${tmp}/dispatch` };
      const claude = (args: string[]) => run(cliPath("claude"), args, { cwd: project, env: cenv });

      const add = await claude(["plugin", "marketplace", "add", copy]);
      assert.equal(add.code, 0, add.stdout + add.stderr);
      const install = await claude(["plugin", "install", "dispatch@dispatch"]);
      assert.equal(install.code, 0, install.stdout + install.stderr);
      const list = await claude(["plugin", "list", "--json"]);
      const plugins = JSON.parse(list.stdout) as { id: string; enabled: boolean }[];
      assert.ok(plugins.find((p) => p.id === "dispatch@dispatch")?.enabled, list.stdout);

      const session = await claude([
        "-p",
        "/dispatch-status",
        "--output-format",
        "stream-json",
        "--verbose",
        "--model",
        "mock-model",
      ]);
      assert.equal(session.code, 0, session.stderr);
      const events = session.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      const start = events.find((e) => e.subtype === "hook_response" && e.hook_event === "SessionStart");
      assert.equal(start?.exit_code, 0, JSON.stringify(start));
      const body = mock.modelRequests()[0]?.text ?? "";
      assert.ok(
        body.includes("<command-name>/dispatch:dispatch-status</command-name>"),
        "command not found",
      );
      assert.ok(body.includes("No tasks"), "the board did not reach the model");
      // The SessionStart hook ran the helper: it created the dispatch home it was pointed at.
      assert.ok((await Deno.stat(`${tmp}/dispatch`)).isDirectory);
    });
  },
});

/** Claude Code's environment for a host in `project`, with this test's dispatch home. */
async function hostEnv(tmp: string, mockUrl: string) {
  const home = `${tmp}/claude`;
  await prepareHome("claude", home);
  const project = `${tmp}/project`;
  await Deno.mkdir(`${project}/.git`, { recursive: true });
  const env: Record<string, string> = { ...claudeEnv(home, mockUrl), DISPATCH_HOME: `${tmp}/dispatch` };
  return { project, env };
}

/** The SessionStart hook's response events of a stream-json run. */
function sessionStarts(stdout: string): { exit_code?: number; stderr?: string; stdout?: string }[] {
  return stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).filter((e) =>
    e.subtype === "hook_response" && e.hook_event === "SessionStart"
  );
}

const STATUS = [
  "-p",
  "/dispatch-status",
  "--output-format",
  "stream-json",
  "--verbose",
  "--model",
  "mock-model",
];

Deno.test({
  name: "install: a local-folder marketplace without npm ci in the folder runs on the cache copy's packages",
  ignore,
  async fn() {
    await using tmpDir = await tempDir("dispatch-install-local-");
    const tmp = tmpDir.path;
    await using mock = await startMockServer({ script: () => ({ text: "ok" }) });
    const source = `${tmp}/source`;
    await copyRepo(source); // the user's clone, no npm ci
    const { project, env } = await hostEnv(tmp, mock.url);
    const claude = (args: string[]) =>
      run(cliPath("claude"), args, { cwd: project, env, timeoutMs: 180_000 });
    assert.equal((await claude(["plugin", "marketplace", "add", source])).code, 0);
    const install = await claude(["plugin", "install", "dispatch@dispatch"]);
    assert.equal(install.code, 0, install.stdout + install.stderr);
    assert.match((await claude(["plugin", "list"])).stdout, new RegExp(`Read from: ${source}`));

    const session = await claude(STATUS);
    assert.equal(session.code, 0, session.stderr);
    const starts = sessionStarts(session.stdout);
    assert.equal(starts.length, 1);
    assert.equal(starts[0]!.exit_code, 0, JSON.stringify(starts[0]));
    assert.equal(starts[0]!.stderr, "");
    assert.ok(mock.modelRequests()[0]?.text.includes("No tasks"), "the board did not reach the model");
    // The source folder now uses the packages npm ci put in Claude Code's cache copy.
    const link = await Deno.readLink(`${source}/node_modules`);
    assert.match(link, /\/plugins\/cache\/dispatch\/dispatch\/[^/]+\/node_modules$/);
  },
});

Deno.test({
  name:
    "install: --plugin-dir on a bare clone: hooks stay silent while npm installs once; the next session works",
  ignore,
  async fn() {
    await using tmpDir = await tempDir("dispatch-install-dir-");
    const tmp = tmpDir.path;
    await using mock = await startMockServer({ script: () => ({ text: "ok" }) });
    const clone = `${tmp}/clone`;
    await copyRepo(clone);
    const { project, env } = await hostEnv(tmp, mock.url);
    const claude = () => run(cliPath("claude"), [...STATUS, "--plugin-dir", clone], { cwd: project, env });

    const first = await claude();
    assert.equal(first.code, 0, first.stderr);
    for (const s of sessionStarts(first.stdout)) {
      assert.deepEqual([s.exit_code, s.stderr, s.stdout], [0, "", ""], "a hook showed something");
    }
    // The first hook started one npm install into the plugin's data folder, in the background.
    const data = `${env.CLAUDE_CONFIG_DIR ?? `${tmp}/claude/.claude`}/plugins/data`;
    await waitFor("the runtime linked into the clone", async () => {
      return await Deno.readLink(`${clone}/node_modules`).catch(() => undefined);
    }, 120_000);
    const link = await Deno.readLink(`${clone}/node_modules`);
    assert.ok(link.startsWith(data), `${link} is not under ${data}`);

    const second = await claude();
    assert.equal(second.code, 0, second.stderr);
    assert.equal(sessionStarts(second.stdout)[0]?.exit_code, 0);
    assert.ok(mock.modelRequests().at(-1)?.text.includes("No tasks"), "the board did not reach the model");
    assert.ok((await Deno.stat(`${tmp}/dispatch`)).isDirectory, "the SessionStart hook did not run dispatch");
  },
});

Deno.test({
  name: "install: a git source (the plugin cloned into Claude Code's cache) runs from the cache copy",
  ignore,
  async fn() {
    await using tmpDir = await tempDir("dispatch-install-git-");
    const tmp = tmpDir.path;
    await using mock = await startMockServer({ script: () => ({ text: "ok" }) });
    const repo = `${tmp}/repo`;
    await copyRepo(repo);
    const git = (args: string[]) =>
      run("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
        cwd: repo,
        env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: tmp },
      });
    assert.equal((await git(["init", "-q"])).code, 0);
    assert.equal((await git(["add", "-A"])).code, 0);
    assert.equal((await git(["commit", "-qm", "plugin"])).code, 0);
    // A marketplace whose entry is a git URL: what a GitHub marketplace does, offline.
    const market = `${tmp}/market`;
    await Deno.mkdir(`${market}/.claude-plugin`, { recursive: true });
    const entry = JSON.parse(await Deno.readTextFile(`${repo}/.claude-plugin/marketplace.json`));
    entry.plugins[0].source = { source: "url", url: `file://${repo}` };
    await Deno.writeTextFile(`${market}/.claude-plugin/marketplace.json`, JSON.stringify(entry));

    const { project, env } = await hostEnv(tmp, mock.url);
    const claude = (args: string[]) =>
      run(cliPath("claude"), args, { cwd: project, env, timeoutMs: 180_000 });
    assert.equal((await claude(["plugin", "marketplace", "add", market])).code, 0);
    const install = await claude(["plugin", "install", "dispatch@dispatch"]);
    assert.equal(install.code, 0, install.stdout + install.stderr);
    const session = await claude(STATUS);
    assert.equal(session.code, 0, session.stderr);
    assert.deepEqual(sessionStarts(session.stdout).map((s) => [s.exit_code, s.stderr]), [[0, ""]]);
    assert.ok(mock.modelRequests()[0]?.text.includes("No tasks"), "the board did not reach the model");
    await assert.rejects(Deno.lstat(`${repo}/node_modules`), Deno.errors.NotFound, "it ran from the clone");
  },
});

Deno.test({
  name:
    "install: a runtime linked by the launcher is dropped and rebuilt when stale; a user's own link is kept",
  ignore,
  async fn() {
    await using tmpDir = await tempDir("dispatch-install-stale-");
    const tmp = tmpDir.path;
    const clone = `${tmp}/clone`;
    await copyRepo(clone);
    const data = `${tmp}/data`;
    const env = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: tmp,
      DISPATCH_HOME: `${tmp}/home`,
      CLAUDE_PLUGIN_DATA: data,
    };
    const version = () => run(`${clone}/bin/dispatch`, ["--version"], { cwd: tmp, env, timeoutMs: 180_000 });
    const installing =
      /^dispatch: installing the pinned Deno and packages with npm into .*\(once, about 20 s\)\n$/;

    const first = await version();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, installing);
    assert.equal(await Deno.readLink(`${clone}/node_modules`), `${data}/node_modules`);
    const again = await version();
    assert.deepEqual([again.code, again.stderr], [0, ""], "installed twice");

    // The plugin's lock changed (an update): the linked packages no longer match, so they are rebuilt.
    await Deno.writeTextFile(`${data}/package-lock.json`, "\n", { append: true });
    const rebuilt = await version();
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.match(rebuilt.stderr, installing);

    // A node_modules link the user made to somewhere else is theirs: never removed.
    await Deno.remove(`${clone}/node_modules`);
    await Deno.mkdir(`${tmp}/mine/node_modules`, { recursive: true });
    await Deno.symlink(`${tmp}/mine/node_modules`, `${clone}/node_modules`);
    const theirs = await version();
    assert.equal(theirs.code, 69);
    assert.match(theirs.stderr, /^dispatch: Deno not found: run 'npm ci' in /);
    assert.equal(await Deno.readLink(`${clone}/node_modules`), `${tmp}/mine/node_modules`);
  },
});
