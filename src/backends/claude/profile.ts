/**
 * Claude Code: `claude`, installed from npm. It has no command that lists
 * models; its aliases follow the newest model of each size.
 * @module
 */
import type { CliProfile } from "../profile.ts";
import { claudeTiers } from "./tiers.ts";

/** Claude Code's own model aliases (claude 2.1.330 accepts these for --model). */
export const CLAUDE_ALIASES: readonly string[] = ["opus", "sonnet", "haiku", "fable"];

/** The `claude` profile. */
export const claudeProfile: CliProfile = {
  name: "claude",
  label: "Claude Code",
  bins: ["claude"],
  install: "npm install -g @anthropic-ai/claude-code",
  tiers: claudeTiers,
  models: {
    documented: [...CLAUDE_ALIASES],
    aliases: CLAUDE_ALIASES,
    accepts: (name) => /^claude-[a-z0-9][\w.-]*$/.test(name) || CLAUDE_ALIASES.includes(name),
  },
  family: {
    family: "anthropic",
    label: "Anthropic (Claude)",
    prefixes: ["anthropic"],
    // claude-opus-4-5, opus, sonnet-4.6, opus-4.5-thinking (Cursor's spelling)
    pattern: /^(?:claude-[a-z0-9][\w.-]*|(?:opus|sonnet|haiku|fable)(?:[-.]\d[\w.-]*)?)$/i,
  },
  doctor: {
    help: [{ args: ["--help"], from: "both" }],
    longNames: { "-p": "--print" },
    auth: async (input) => (await import("./checks.ts")).claudeAuth(input),
  },
  adapter: async () => (await import("./adapter.ts")).claudeBackend,
};
