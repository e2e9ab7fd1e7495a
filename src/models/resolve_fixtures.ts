/**
 * The config, catalog and discovery stub the resolver's tests share
 * (resolve_request_test.ts and resolve_phrases_test.ts).
 * @module
 */
import { importParsers, parseConfig } from "../backends/config_file.ts";
import type { Config } from "../config/schema.ts";
import type { Catalog, CliModels } from "./catalog.ts";
import { type Resolution, resolveRequest } from "./resolve_request.ts";

/** A config with every CLI, a few models and two aliases. */
export const CONFIG_TEXT = `
default: opus
backends:
  claude: { type: claude }
  codex: { type: codex }
  cursor: { type: cursor }
  gemini: { type: gemini }
  opencode: { type: opencode }
  scripted: { type: scripted }
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
  haiku: { backend: claude }
  gpt-5.5: { backend: codex }
  gemini-2.5-pro: { backend: gemini }
  composer-2: { backend: cursor }
  opencode/big-pickle: { backend: opencode }
  scripted: { backend: scripted }
aliases:
  security-reviewer: { model: opus, prompt: "Find vulnerabilities.", tier: read }
  quick: { model: sonnet }
`;

/** The parsed config (CONFIG_TEXT unless given). */
export async function config(text = CONFIG_TEXT): Promise<Config> {
  return parseConfig(text, "test config", await importParsers());
}

/** A CLI in a catalog, installed at /bin/<backend>. */
export function cli(backend: string, models: string[], source: CliModels["source"] = "listed"): CliModels {
  return { backend, path: `/bin/${backend}`, source, models };
}

/** What the installed CLIs offer in these tests. */
export const CATALOG: Catalog = {
  version: 1,
  created: 0,
  clis: [
    cli("claude", ["opus", "sonnet", "haiku", "fable"], "documented"),
    cli("codex", ["gpt-5.5", "gpt-6-astra"]),
    cli("gemini", ["gemini-2.5-pro", "gemini-3-pro-preview"], "documented"),
    cli("cursor", ["composer-2", "gpt-6-astra", "sonnet-4.6", "kimi-k2.5", "claude-opus-4-5"]),
    cli("opencode", ["opencode/big-pickle", "anthropic/claude-opus-4-5", "zai/glm-4.6"]),
    { backend: "qwen", path: null, source: "none", models: [] },
  ],
};

/** A discovery stub that counts its calls. */
export function discovery(catalog: Catalog = CATALOG) {
  const deps = {
    calls: 0,
    discover: () => {
      deps.calls++;
      return Promise.resolve(catalog);
    },
  };
  return deps;
}

/** Resolves `text` against the test config, discovering through a stub. */
export async function resolve(
  text: string,
  opts: { cached?: Catalog; catalog?: Catalog } = {},
): Promise<Resolution> {
  return resolveRequest(text, await config(), { cached: opts.cached, ...discovery(opts.catalog) });
}

/** What the fixture's `security-reviewer` alias resolves to. */
export const SECURITY_REVIEWER = {
  model: "opus",
  modelId: "opus",
  backend: "claude",
  alias: "security-reviewer",
  prompt: "Find vulnerabilities.",
  tier: "read",
} as const;
