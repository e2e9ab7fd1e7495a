/**
 * Google Gemini CLI: `gemini`, installed from npm. No command lists its
 * models; the names are VALID_GEMINI_MODELS in the gemini 0.61.0 bundle.
 * @module
 */
import type { CliProfile } from "../profile.ts";
import { geminiTiers } from "./tiers.ts";

/** The `gemini` profile. */
export const geminiProfile: CliProfile = {
  name: "gemini",
  label: "Gemini CLI",
  bins: ["gemini"],
  install: "npm install -g @google/gemini-cli",
  tiers: geminiTiers,
  models: {
    documented: [
      "gemini-2.5-pro",
      "gemini-3-pro-preview",
      "gemini-3.1-pro-preview",
      "gemini-3-flash-preview",
      "gemini-3.5-flash",
      "gemini-3.1-flash-lite",
    ],
    accepts: (name) => /^gemini-[\w.-]+$/.test(name),
  },
  family: {
    family: "google",
    label: "Google (Gemini)",
    prefixes: ["google", "vertex", "google-vertex"],
    pattern: /^(?:gemini|gemma)-[\w.-]+$/i,
  },
  doctor: {
    help: [{ args: ["--help"], from: "both" }],
    longNames: { "-m": "--model", "-o": "--output-format" },
    auth: async (input) => (await import("./checks.ts")).geminiAuth(input),
  },
  adapter: async () => (await import("./adapter.ts")).geminiBackend,
};
