import assert from "node:assert/strict";
import { fakeInput, HOME, TASK, TASK_DIR } from "../../test/fixtures/samples.ts";
import { executable, extraArgs, mergedEnv, tierVars } from "./launch_common.ts";

Deno.test("executable: backends.X.bin wins over the CLI's name; blank means unset", () => {
  assert.equal(executable(fakeInput(), "codex"), "codex");
  assert.equal(executable(fakeInput({ backend: { bin: "/opt/codex" } }), "codex"), "/opt/codex");
  assert.equal(executable(fakeInput({ backend: { bin: "  " } }), "codex"), "codex");
});

Deno.test("extraArgs: the backend's args, then the model's", () => {
  assert.deepEqual(extraArgs(fakeInput()), []);
  assert.deepEqual(
    extraArgs(fakeInput({ backend: { args: ["--a", "1"] }, modelArgs: ["--b"] })),
    ["--a", "1", "--b"],
  );
});

Deno.test("mergedEnv: the backend's env overrides the adapter's own", () => {
  const input = fakeInput({ backend: { env: { A: "user", C: "3" } } });
  assert.deepEqual(mergedEnv(input, { A: "adapter", B: "2" }), { A: "user", B: "2", C: "3" });
  assert.deepEqual(mergedEnv(fakeInput()), {});
});

Deno.test("tierVars: the task folder from home and task id, the helper's path", () => {
  assert.deepEqual(tierVars(fakeInput()), {
    bin: "/opt/dispatch/bin/dispatch",
    taskDir: TASK_DIR,
    workDir: `${TASK_DIR}/work`,
    home: HOME,
    taskId: TASK,
    rules: { allow: [], deny: [] },
  });
  const bare = fakeInput();
  delete bare.bin;
  assert.equal(tierVars(bare).bin, "dispatch");
});

Deno.test("tierVars: the rules stored in the task's spec, so a resume maps the same ones", () => {
  const input = fakeInput();
  input.spec.permissions = { allow: ["npm test"], deny: ["git push *"] };
  assert.deepEqual(tierVars(input).rules, { allow: ["npm test"], deny: ["git push *"] });
});
