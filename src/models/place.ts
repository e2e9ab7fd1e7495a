/**
 * Where a model name can run: the CLI a catalog places it on, and the
 * backend of a config that runs that CLI.
 * @module
 */
import type { Config } from "../config/schema.ts";
import { profileOf } from "../backends/profiles.ts";
import type { Catalog } from "./catalog.ts";
import { familyOf, nativeBackend } from "./families.ts";

/** Where a model name can run, and why. */
export interface Placement {
  /** The backend type (CLI) chosen. */
  cli: string;
  /** The id the CLI is given, when it differs from the name (opencode's `provider/model`). */
  modelId?: string;
  /** `listed` by the CLI, or `accepted` as one of its family's ids. */
  how: "listed" | "accepted";
}

/**
 * Chooses the CLI for a model name from a catalog: among the installed CLIs
 * that list the name (or, for opencode-style `provider/model` ids, list it
 * under a provider) or take it as one of their family's ids, the family's own
 * CLI wins (opus/sonnet/haiku-style names: claude; gpt/codex/o-series: codex);
 * otherwise the first CLI that lists it. Undefined when no CLI has it.
 */
export function placeModel(name: string, catalog: Catalog): Placement | undefined {
  const lower = name.toLowerCase();
  const candidates: Placement[] = [];
  for (const cli of catalog.clis) {
    if (!cli.path) continue;
    const exact = cli.models.find((m) => m.toLowerCase() === lower);
    const suffixed = exact ??
      (name.includes("/") ? undefined : cli.models.find((m) => m.toLowerCase().endsWith(`/${lower}`)));
    if (suffixed) {
      candidates.push({
        cli: cli.backend,
        how: "listed",
        ...(suffixed !== name ? { modelId: suffixed } : {}),
      });
      continue;
    }
    if (cli.source !== "listed" && profileOf(cli.backend)?.models.accepts?.(name, familyOf)) {
      candidates.push({ cli: cli.backend, how: "accepted" });
    }
  }
  if (candidates.length === 0) return undefined;
  const family = familyOf(name);
  const native = family ? candidates.find((c) => c.cli === nativeBackend(family)) : undefined;
  return native ?? candidates.find((c) => c.how === "listed") ?? candidates[0];
}

/**
 * The backend name (a key of `backends:`) that runs a CLI in this config: a
 * backend of that type, else one named after it (an earlier dispatch's
 * `claude: { command: ... }`), else the built-in name itself.
 */
export function backendNameFor(cli: string, config: Config | undefined): string {
  const backends = Object.entries(config?.backends ?? {});
  return backends.find(([, b]) => b.type === cli)?.[0] ??
    backends.find(([name]) => name === cli)?.[0] ?? cli;
}
