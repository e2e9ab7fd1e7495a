/**
 * OpenAI Codex CLI: `codex`, installed from npm. `codex debug models` lists
 * its models as JSON, offline (the catalog bundled in the binary).
 * @module
 */
import type { CliProfile } from "../profile.ts";
import { codexTiers } from "./tiers.ts";

/** Parses `codex debug models` (JSON catalog): visible models, in codex's own picker order. */
export function parseCodexModels(stdout: string): string[] {
  const start = stdout.indexOf("{");
  if (start < 0) return [];
  const data = JSON.parse(stdout.slice(start)) as {
    models?: { slug?: unknown; visibility?: unknown; priority?: unknown }[];
  };
  const rank = (m: { priority?: unknown }) => typeof m.priority === "number" ? m.priority : Infinity;
  return (data.models ?? [])
    .filter((m) => typeof m.slug === "string" && m.visibility !== "hide")
    .sort((a, b) => rank(a) - rank(b))
    .map((m) => m.slug as string);
}

/** The `codex` profile. */
export const codexProfile: CliProfile = {
  name: "codex",
  label: "Codex CLI",
  bins: ["codex"],
  install: "npm install -g @openai/codex",
  tiers: codexTiers,
  models: {
    list: { args: ["debug", "models"], parse: parseCodexModels },
    documented: [],
    // when listing fails, any OpenAI-family id is taken (codex runs unknown ids, with a warning)
    accepts: (name, familyOf) => familyOf(name) === "openai" && !name.includes("/"),
  },
  family: {
    family: "openai",
    label: "OpenAI (GPT, Codex)",
    prefixes: ["openai"],
    // gpt-5.5, gpt-4o, o3, o4-mini, gpt-5.3-codex, codex-mini-latest; the o-series only in lower case
    // so that "O2" in prose is not a model
    pattern: /^(?:(?:chat)?gpt-[\w.-]+|o[1-9](?:-[a-z][\w.-]*)?|codex-[\w.-]+|[\w.]+-codex(?:-[\w.-]+)?)$/,
  },
  doctor: {
    help: [
      { args: ["exec", "--help"], from: "launch", commands: ["resume"] },
      // a worker resumed after an answer runs `codex exec resume` with the same flags
      { args: ["exec", "resume", "--help"], from: "resume" },
    ],
    longNames: { "-m": "--model", "-c": "--config" },
    auth: async (input) => (await import("./checks.ts")).codexAuth(input),
  },
  adapter: async () => (await import("./adapter.ts")).codexBackend,
};
