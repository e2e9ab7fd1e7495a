/**
 * Cursor's CLI: `agent` (formerly `cursor-agent`), installed by Cursor's
 * script. `agent models` lists its models (documented format only: no
 * `agent` can run here).
 * @module
 */
import { stripAnsi } from "../../proc/probe.ts";
import type { CliProfile } from "../profile.ts";
import { cursorTiers } from "./tiers.ts";

/**
 * Parses `agent models` (Cursor CLI): lines `<id> - <Display Name>`, some
 * marked `(current)` or `(default)`, under a heading; documented format only,
 * as no cursor `agent` can run here.
 */
export function parseCursorModels(stdout: string): string[] {
  const out: string[] = [];
  for (const raw of stdout.split("\n")) {
    const line = stripAnsi(raw).trim();
    const m = /^(?:[*•-]\s+)?([A-Za-z0-9][\w.:\/-]*)(?:\s+-\s+.*)?$/.exec(line);
    if (!m || /^(available|models?|tip|loading)/i.test(line)) continue;
    if (!/\s-\s/.test(line) && !/[\d-]/.test(m[1]!)) continue; // a lone word is a heading, not an id
    out.push(m[1]!);
  }
  return out;
}

/** The `cursor` profile. */
export const cursorProfile: CliProfile = {
  name: "cursor",
  label: "Cursor CLI",
  bins: ["agent", "cursor-agent"],
  install: "curl https://cursor.com/install -fsS | bash",
  tiers: cursorTiers,
  models: { list: { args: ["models"], parse: parseCursorModels }, documented: [] },
  family: { family: "cursor", label: "Cursor", prefixes: ["cursor"], pattern: /^composer-[\w.-]+$/i },
  doctor: {
    help: [{ args: ["--help"], from: "both" }],
    longNames: { "-p": "--print" },
    auth: async (input) => (await import("./checks.ts")).cursorAuth(input),
  },
  adapter: async () => (await import("./adapter.ts")).cursorBackend,
};
