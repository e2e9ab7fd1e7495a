/**
 * The fresh-clone entry points (`npm run …`, `deno task …`) reach the native
 * Deno binary. `deno task` resolves a bare `deno` to `node_modules/.bin/deno`
 * and, because that is npm's bin entry, runs the ELF file as a JavaScript
 * script ("Uncaught SyntaxError"): every task must name the native binary.
 *
 * The cheap checks run the real deno.json and package.json in a copy of the
 * project whose entry files are stubs, so no task does real work.
 * @module
 */
import assert from "node:assert/strict";
import { ROOT } from "./helpers.ts";
import { tempDir } from "./temp_dir.ts";

const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
const tasks: Record<string, string> = denoJson.tasks;
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs `cmd args` in `cwd`; returns code and both outputs joined. */
async function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, out: decode(out.stdout) + decode(out.stderr) };
}

/** A copy of the project's task wiring with stub entry files that print what ran. */
async function stubProject() {
  const dir = await tempDir("dispatch-tasks-");
  const p = dir.path;
  for (const f of ["deno.json", "package.json"]) await Deno.copyFile(`${ROOT}/${f}`, `${p}/${f}`);
  await Deno.symlink(`${ROOT}/node_modules`, `${p}/node_modules`);
  for (const d of ["src", "bench", "test", "bin", "tools"]) await Deno.mkdir(`${p}/${d}`);
  await Deno.copyFile(`${ROOT}/bin/dispatch`, `${p}/bin/dispatch`);
  await Deno.chmod(`${p}/bin/dispatch`, 0o755);
  await Deno.writeTextFile(`${p}/src/main.ts`, `console.log("stub main:", Deno.args.join(" "));\n`);
  await Deno.writeTextFile(`${p}/bench/run.ts`, `console.log("stub bench:", Deno.args.join(" "));\n`);
  await Deno.writeTextFile(`${p}/tools/layers.ts`, `console.log("stub layers");\n`);
  await Deno.writeTextFile(`${p}/test/stub_test.ts`, `Deno.test("stub test ran", () => {});\n`);
  return dir;
}

Deno.test("deno.json: every task runs the native deno binary, never a bare `deno`", () => {
  for (const [name, cmd] of Object.entries(tasks)) {
    assert.doesNotMatch(cmd, /(^|[;&|(]\s*)deno\s/, `task ${name}: ${cmd}`);
    if (/\bdeno\b/.test(cmd)) assert.match(cmd, /^node_modules\/@deno\/\*\/deno /, `task ${name}: ${cmd}`);
  }
});

Deno.test("deno task demo|test|bench|check|layers and npm run demo|bench reach the native deno", async () => {
  await using dir = await stubProject();
  const deno = Deno.execPath();
  const runs: [string, string[], RegExp][] = [
    [deno, ["task", "demo"], /stub main: demo/],
    [deno, ["task", "bench", "--quick"], /stub bench: --quick/],
    [deno, ["task", "test"], /ok \| 1 passed \| 0 failed/],
    [deno, ["task", "check"], /Check .*main\.ts/],
    [deno, ["task", "layers"], /stub layers/],
    ["npm", ["run", "demo"], /stub main: demo/],
    ["npm", ["run", "bench"], /stub bench:/],
  ];
  for (const [cmd, args, expected] of runs) {
    const r = await sh(cmd, args, dir.path);
    assert.doesNotMatch(r.out, /SyntaxError/, `${cmd} ${args.join(" ")}`);
    assert.equal(r.code, 0, `${cmd} ${args.join(" ")}:\n${r.out}`);
    assert.match(r.out, expected, `${cmd} ${args.join(" ")}`);
  }
});

Deno.test("deno task compile reaches deno compile and writes the name the launcher looks for", async () => {
  await using dir = await stubProject();
  const uname = async (flag: string) => (await sh("uname", [flag], dir.path)).out.trim();
  const name = `dist/dispatch-${(await uname("-s")).toLowerCase()}-${await uname("-m")}`;
  // DENORT_BIN pointing nowhere makes compile fail at once, offline, after it parsed its arguments.
  const r = await sh(Deno.execPath(), ["task", "compile"], dir.path, { DENORT_BIN: `${dir.path}/no-denort` });
  assert.doesNotMatch(r.out, /SyntaxError/);
  assert.match(r.out, new RegExp(`Compile src/main\\.ts to ${name}\\b`));
  assert.match(r.out, /Could not find denort/);
  const launcher = await Deno.readTextFile(`${ROOT}/bin/dispatch`);
  assert.match(
    launcher,
    /compiled="\$root\/dist\/dispatch-\$\(uname -s \| tr '\[:upper:\]' '\[:lower:\]'\)-\$\(uname -m\)"/,
  );
});

Deno.test("deno task demo runs the real demo to the end", async () => {
  const r = await sh(Deno.execPath(), ["task", "demo"], ROOT);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /done\s+scripted\/scripted/);
});
