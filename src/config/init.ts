/**
 * First-run setup: detect the worker CLIs on PATH and write a commented
 * `config.yaml` with the detected backends, their models, and a default.
 * Never overwrites an existing file.
 * @module
 */
import type { Ctx } from "../context.ts";
import { ensureDir } from "../store/fsx.ts";
import { homePaths } from "../store/paths.ts";

/** A CLI we can drive, its executable, and models it is known to take. */
export interface KnownCli {
  backend: string;
  bin: string;
  provider: string;
  models: string[];
}

/** The CLIs first-run setup looks for, in order of preference for the default. */
export const KNOWN_CLIS: KnownCli[] = [
  {
    backend: "claude",
    bin: "claude",
    provider: "Anthropic (Claude Code)",
    models: ["opus", "sonnet", "haiku"],
  },
  { backend: "codex", bin: "codex", provider: "OpenAI (Codex CLI)", models: ["gpt-5.5", "gpt-6-astra"] },
  { backend: "cursor", bin: "agent", provider: "Cursor CLI", models: ["composer-2", "auto"] },
  {
    backend: "gemini",
    bin: "gemini",
    provider: "Google (Gemini CLI)",
    models: ["gemini-2.5-pro", "gemini-2.5-flash"],
  },
  { backend: "opencode", bin: "opencode", provider: "opencode", models: [] },
  { backend: "qwen", bin: "qwen", provider: "Qwen Code", models: ["qwen3-coder-plus"] },
];

/** Finds an executable on PATH. */
export async function which(bin: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(":")) {
    if (!dir) continue;
    try {
      const info = await Deno.stat(`${dir}/${bin}`);
      if (info.isFile && (info.mode ?? 0o111) & 0o111) return `${dir}/${bin}`;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Renders the config text for the detected CLIs (the scripted worker is always there). */
export function renderInitialConfig(found: KnownCli[]): string {
  const lines = [
    "# dispatch config: backends (worker CLIs), models, aliases.",
    "# Written by 'dispatch config init'; edit freely. Comments survive 'dispatch config' edits.",
    "",
  ];
  const firstModel = found.find((c) => c.models.length > 0)?.models[0];
  lines.push(`default: ${firstModel ?? "scripted"}`, "", "backends:");
  for (const cli of found) lines.push(`  ${cli.backend}: { type: ${cli.backend} }`);
  lines.push(
    "  scripted: { type: scripted }   # built-in scripted worker, for demos and tests",
    "",
    "models:",
  );
  for (const cli of found) {
    if (cli.models.length === 0) continue;
    lines.push(`  # ${cli.provider}`);
    for (const m of cli.models) lines.push(`  ${m}: { backend: ${cli.backend} }`);
  }
  lines.push("  scripted: { backend: scripted }", "", "aliases:");
  lines.push('  # reviewer: { model: opus, prompt: "You are a careful code reviewer.", tier: read }', "  {}");
  return lines.join("\n").replace("aliases:\n  # reviewer", "aliases:\n  # reviewer") + "\n";
}

/** Writes config.yaml unless it exists. Resolves with its path and whether it was written. */
export async function initConfig(ctx: Ctx): Promise<{ path: string; written: boolean; found: string[] }> {
  const paths = homePaths(ctx.home);
  await ensureDir(ctx.home);
  const found: KnownCli[] = [];
  for (const cli of KNOWN_CLIS) if (await which(cli.bin, ctx.env.PATH ?? "")) found.push(cli);
  const text = renderInitialConfig(found);
  try {
    await Deno.writeTextFile(paths.config, text, { createNew: true, mode: 0o600 });
    return { path: paths.config, written: true, found: found.map((c) => c.backend) };
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return { path: paths.config, written: false, found: [] };
    throw e;
  }
}
