import assert from "node:assert/strict";
import { confinedArgv, findBwrap, resolveState } from "./confine.ts";
import { tempDir } from "../../test/temp_dir.ts";

const CLIS_BIN = new URL("../../test/clis/node_modules/.bin", import.meta.url).pathname;
const BWRAP = findBwrap({ PATH: CLIS_BIN });

Deno.test("resolveState: under $HOME, or an XDG base with its default", () => {
  const env = { HOME: "/h", XDG_DATA_HOME: "/x/data" };
  assert.equal(resolveState({ under: "HOME", path: ".gemini" }, env), "/h/.gemini");
  assert.equal(resolveState({ under: "XDG_DATA_HOME", path: "opencode" }, env), "/x/data/opencode");
  assert.equal(resolveState({ under: "XDG_CONFIG_HOME", path: "opencode" }, env), "/h/.config/opencode");
  assert.equal(resolveState({ under: "HOME", path: ".qwen" }, {}), undefined);
});

Deno.test("confinedArgv: / read-only, then /tmp and state, then protect, then writable (later wins)", async () => {
  await using d = await tempDir("dispatch-confine-");
  for (const sub of ["home", "home/tasks/t/work", "state", "project"]) {
    await Deno.mkdir(`${d.path}/${sub}`, { recursive: true });
  }
  const argv = confinedArgv(
    "/b/bwrap",
    {
      protect: [`${d.path}/home`],
      writable: [`${d.path}/home/tasks/t/work`, `${d.path}/project`, `${d.path}/missing`],
      state: [{ under: "HOME", path: "state" }],
    },
    { HOME: d.path },
    ["gemini", "-p"],
  );
  const at = (flag: string, path: string) => argv.findIndex((a, i) => a === flag && argv[i + 1] === path);
  assert.equal(argv[0], "/b/bwrap");
  assert.deepEqual(argv.slice(1, 4), ["--ro-bind", "/", "/"]);
  assert.ok(at("--bind", "/tmp") < at("--ro-bind", `${d.path}/home`));
  assert.ok(at("--bind", `${d.path}/state`) < at("--ro-bind", `${d.path}/home`));
  assert.ok(at("--ro-bind", `${d.path}/home`) < at("--bind", `${d.path}/home/tasks/t/work`));
  assert.equal(at("--bind", `${d.path}/missing`), -1, "a missing path is skipped, not refused");
  assert.deepEqual(argv.slice(-3), ["--", "gemini", "-p"]);
});

Deno.test("findBwrap: $DISPATCH_BWRAP, PATH, then codex's bundled copy; none is undefined", () => {
  assert.equal(findBwrap({ PATH: "/nonexistent" }), undefined);
  assert.equal(findBwrap({ DISPATCH_BWRAP: "/nonexistent/bwrap", PATH: "" }), undefined);
  if (BWRAP) assert.match(BWRAP, /codex-resources\/bwrap$/);
});

Deno.test({
  name: "confined for real: writes land in the work folder and /tmp, never in the protected home or /",
  ignore: BWRAP === undefined,
}, async () => {
  await using d = await tempDir("dispatch-confine-");
  const home = `${d.path}/home`;
  const work = `${home}/tasks/t/work`;
  await Deno.mkdir(work, { recursive: true });
  const script = [
    `echo ok > ${work}/plan.md`,
    `(echo x >> ${home}/journal.jsonl) 2>/dev/null && echo JOURNAL`,
    `(echo x > ${d.path}/beside-home) 2>/dev/null && echo TMP`,
    `(echo x > /etc/dispatch-confine-probe) 2>/dev/null && echo ETC`,
  ].join("; ");
  const plan = { protect: [home], writable: [work], state: [] };
  const [cmd, ...args] = confinedArgv(BWRAP!, plan, { HOME: d.path }, ["sh", "-c", script]);
  const out = await new Deno.Command(cmd!, { args, stdout: "piped", stderr: "piped" }).output();
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "TMP", new TextDecoder().decode(out.stderr));
  assert.equal(await Deno.readTextFile(`${work}/plan.md`), "ok\n");
  await assert.rejects(Deno.stat(`${home}/journal.jsonl`));
  await assert.rejects(Deno.stat("/etc/dispatch-confine-probe"));
});

Deno.test({
  name:
    "confined for real: guarded files inside a writable project stay read-only; a link there is not bound",
  ignore: BWRAP === undefined,
}, async () => {
  await using d = await tempDir("dispatch-confine-");
  const project = `${d.path}/project`;
  await Deno.mkdir(`${project}/.git/hooks`, { recursive: true });
  await Deno.writeTextFile(`${project}/.git/config`, "[core]\n");
  await Deno.symlink("/etc/hostname", `${project}/.mcp.json`);
  const script = [
    `echo ok > ${project}/src.ts`,
    `(echo x >> ${project}/.git/config) 2>/dev/null && echo CONFIG`,
    `(echo x > ${project}/.git/hooks/post-checkout) 2>/dev/null && echo HOOK`,
  ].join("; ");
  const plan = {
    protect: [],
    writable: [project],
    guarded: [`${project}/.git/config`, `${project}/.git/hooks`, `${project}/.mcp.json`],
    state: [],
  };
  const argv = confinedArgv(BWRAP!, plan, { HOME: d.path }, ["sh", "-c", script]);
  assert.ok(!argv.includes(`${project}/.mcp.json`), "a link is never a bind source");
  const [cmd, ...args] = argv;
  const out = await new Deno.Command(cmd!, { args, stdout: "piped", stderr: "piped" }).output();
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "", new TextDecoder().decode(out.stderr));
  assert.equal(await Deno.readTextFile(`${project}/src.ts`), "ok\n");
  assert.equal(await Deno.readTextFile(`${project}/.git/config`), "[core]\n");
});
