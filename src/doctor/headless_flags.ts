/**
 * The flags a CLI's `--help` must list for dispatch to run it headless:
 * read off the command lines its adapter actually builds (every tier, fresh
 * launch and resume), so the check cannot drift from the adapter.
 * @module
 */
import type { CliProfile, HelpCheck } from "../backends/profile.ts";
import type { LaunchInput } from "../backends/types.ts";
import type { TaskSpec } from "../store/tasks.ts";
import { TIERS } from "../tier.ts";
import { regexEscape } from "../backends/escape.ts";

/** One `--help` to read, with the flags and subcommands it must list. */
export interface HelpInvocation {
  args: string[];
  flags: string[];
  commands: string[];
}

/** The long flags a command string or args list uses (`--force`, `--output-format`). */
export function longFlags(words: string[]): string[] {
  return [...new Set(words.filter((w) => /^--[A-Za-z][\w-]*/.test(w)).map((w) => w.split("=")[0]!))];
}

/** True when `help` lists `flag` (as `--flag`, `--flag <x>`, `--flag=`, or after a comma). */
export function helpHasFlag(help: string, flag: string): boolean {
  return new RegExp(`(^|[\\s,\\[(])${regexEscape(flag)}(?![\\w-])`, "m").test(help);
}

/** A launch with placeholder values: only the flags matter here. */
function sampleInput(tier: LaunchInput["tier"]): LaunchInput {
  // the adapters read only these fields of the task
  const spec = { id: "doctor", model: "model", modelId: "model", cwd: "/tmp", tier } as TaskSpec;
  return { spec, backend: {}, prompt: "", promptFile: "/tmp/prompt.md", tier, self: [], home: "/tmp" };
}

/** The flags of one argv, short ones under their long names. */
function flagsOf(argv: string[], longNames: Record<string, string>): string[] {
  return argv.slice(1).flatMap((w) => /^-[A-Za-z]$/.test(w) ? [longNames[w] ?? w] : longFlags([w]));
}

/** The `--help` invocations of a CLI, each with the flags its adapter passes there. */
export async function headlessFlags(profile: CliProfile): Promise<HelpInvocation[]> {
  const adapter = await profile.adapter();
  const longNames = profile.doctor.longNames ?? {};
  const launched: string[] = [];
  const resumed: string[] = [];
  for (const tier of TIERS) {
    const input = sampleInput(tier);
    try {
      launched.push(...flagsOf(adapter.launch(input).argv, longNames));
      if (adapter.resume) resumed.push(...flagsOf(adapter.resume(input, "session", "").argv, longNames));
    } catch {
      // a tier the CLI cannot honour (cursor's read) adds no flags
    }
  }
  const from = (h: HelpCheck) =>
    h.from === "launch" ? launched : h.from === "resume" ? resumed : [...launched, ...resumed];
  return profile.doctor.help.map((h) => ({
    args: h.args,
    flags: [...new Set(from(h))],
    commands: h.commands ?? [],
  }));
}
