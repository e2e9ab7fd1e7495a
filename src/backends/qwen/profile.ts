/**
 * Qwen Code: `qwen`, installed from npm. No command lists its models:
 * coder-model is Qwen OAuth's model (qwen 0.24.4), qwen3-coder-plus DashScope's.
 * @module
 */
import type { CliProfile } from "../profile.ts";
import { qwenTiers } from "./tiers.ts";

/** The `qwen` profile. */
export const qwenProfile: CliProfile = {
  name: "qwen",
  label: "Qwen Code",
  bins: ["qwen"],
  install: "npm install -g @qwen-code/qwen-code",
  tiers: qwenTiers,
  models: {
    documented: ["coder-model", "qwen3-coder-plus"],
    accepts: (name) => /^qwen[\w.-]*$/i.test(name),
  },
  family: {
    family: "qwen",
    label: "Alibaba (Qwen)",
    prefixes: ["qwen", "alibaba", "dashscope"],
    pattern: /^(?:qwen\d[\w.-]*|qwen-[\w.-]+|coder-model)$/i,
  },
  doctor: {
    help: [{ args: ["--help"], from: "both" }],
    longNames: { "-m": "--model", "-o": "--output-format" },
    auth: async (input) => (await import("./checks.ts")).qwenAuth(input),
  },
  adapter: async () => (await import("./adapter.ts")).qwenBackend,
};
