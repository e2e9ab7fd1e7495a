/**
 * opencode: `opencode`, installed from npm, a multi-provider CLI whose
 * `opencode models` lists `provider/model` ids.
 * @module
 */
import { stripAnsi } from "../../proc/probe.ts";
import type { CliProfile } from "../profile.ts";
import { opencodeTiers } from "./tiers.ts";

/** Parses `opencode models`: one `provider/model` per line. */
export function parseOpencodeModels(stdout: string): string[] {
  return stdout.split("\n").map((l) => stripAnsi(l).trim())
    .filter((l) => /^[\w.@-]+\/[\w.:@\/-]+$/.test(l));
}

/** The `opencode` profile. */
export const opencodeProfile: CliProfile = {
  name: "opencode",
  label: "opencode",
  bins: ["opencode"],
  install: "npm install -g opencode-ai",
  tiers: opencodeTiers,
  models: {
    list: {
      args: ["models"],
      // offline: list from the cached/bundled models.dev data, never fetch it
      env: { OPENCODE_DISABLE_MODELS_FETCH: "1", OPENCODE_DISABLE_AUTOUPDATE: "1" },
      parse: parseOpencodeModels,
      // opencode 1.18.33 took 2.9-6.6 s to list on this machine kind (a Bun binary booting its server)
      timeoutMs: 8000,
    },
    documented: [],
  },
  doctor: {
    help: [{ args: ["run", "--help"], from: "both" }],
    longNames: { "-m": "--model" },
    auth: async (input) => (await import("./checks.ts")).opencodeAuth(input),
  },
  adapter: async () => (await import("./adapter.ts")).opencodeBackend,
};
