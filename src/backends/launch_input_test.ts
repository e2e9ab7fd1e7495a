import assert from "node:assert/strict";
import { configSchema } from "../config/schema.ts";
import type { TaskSpec } from "../store/tasks.ts";
import { launchInput } from "./launch_input.ts";

const SPEC: TaskSpec = {
  id: "t-1",
  title: "T",
  project: "/p",
  cwd: "/p",
  backend: "codex",
  model: "gpt",
  modelId: "gpt-5.5",
  tier: "read",
  created: 0,
};

Deno.test("launchInput: the backend entry, the model's args, the tier and the helper's paths", () => {
  const config = configSchema.parse({
    backends: { codex: { args: ["-c", "x=1"], env: { K: "v" } } },
    models: { gpt: { backend: "codex", model: "gpt-5.5", args: ["-c", "model_reasoning_effort=high"] } },
  });
  const input = launchInput(
    { home: "/h", self: ["d"], bin: "/b/dispatch" },
    config,
    SPEC,
    "hi",
    "/h/tasks/t-1/prompt.md",
  );
  assert.deepEqual(input.backend, { args: ["-c", "x=1"], env: { K: "v" } });
  assert.deepEqual(input.modelArgs, ["-c", "model_reasoning_effort=high"]);
  assert.equal(input.tier, "read");
  assert.equal(input.home, "/h");
  assert.equal(input.bin, "/b/dispatch");
  assert.equal(input.prompt, "hi");
  assert.equal(input.promptFile, "/h/tasks/t-1/prompt.md");
});

Deno.test("launchInput: a backend with no entry and a model with no args", () => {
  const config = configSchema.parse({ models: { gpt: { backend: "codex" } } });
  const input = launchInput({ home: "/h", self: ["d"], bin: "/b" }, config, SPEC, "hi", "/f");
  assert.deepEqual(input.backend, {});
  assert.equal(input.modelArgs, undefined);
});
