import assert from "node:assert/strict";
import { commandBackend } from "./adapter.ts";
import type { LaunchInput } from "../types.ts";

function input(backend: LaunchInput["backend"], modelArgs?: string[]): LaunchInput {
  return {
    spec: {
      id: "t-0001",
      title: "t",
      project: "/p",
      cwd: "/p",
      backend: "b",
      model: "m",
      modelId: "m-id",
      tier: "edit",
      created: 0,
    },
    backend,
    prompt: "do it; rm -rf / # not a command",
    promptFile: "/h/tasks/t-0001/prompt.md",
    tier: "edit",
    self: ["dispatch"],
    home: "/h",
    ...(modelArgs ? { modelArgs } : {}),
  };
}

Deno.test("command backend: the prompt and model are positional arguments, never part of the shell string", () => {
  const launch = commandBackend.launch(
    input({ command: "my-agent --headless", args: ["--fast"] }, ["--effort", "high"]),
  );
  assert.deepEqual(launch.argv, [
    "sh",
    "-c",
    'my-agent --headless "$@"',
    "dispatch-worker",
    "--fast",
    "--effort",
    "high",
    "--model",
    "m-id",
    "do it; rm -rf / # not a command",
  ]);
  assert.equal(launch.stdin, "null");
});

Deno.test("command backend: model_flag '' omits the model; env is passed to the worker", () => {
  const launch = commandBackend.launch(
    input({ command: "x", model_flag: "", env: { GATEWAY: "http://127.0.0.1:1" } }),
  );
  assert.deepEqual(launch.argv.slice(4), ["do it; rm -rf / # not a command"]);
  assert.deepEqual(launch.env, { GATEWAY: "http://127.0.0.1:1" });
});
