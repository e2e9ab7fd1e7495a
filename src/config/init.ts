/**
 * The first `config.yaml`, rendered from what first-run setup detected
 * (src/models/first_run.ts finds the CLIs and their models): the detected
 * backends only (plus the built-in scripted worker), every model grouped by
 * provider with a comment saying where it came from, and a default.
 * @module
 */
import { flowMap, yamlKey, yamlScalar } from "./yaml_text.ts";

/** One model line to write. */
export interface ModelEntry {
  name: string;
  backend: string;
  modelId?: string;
}

/** Models under one provider heading. */
export interface ModelGroup {
  label: string;
  /** Where the models came from ("listed by Codex CLI"). */
  note: string;
  entries: ModelEntry[];
}

/** What first-run setup found, as the config file needs it. */
export interface FirstConfigFacts {
  /** The model or alias used when a request names none. */
  default: string;
  /** The worker CLIs found on PATH, in order. */
  backends: string[];
  /** CLIs whose model listing failed, and why. */
  failed: { backend: string; error: string }[];
  groups: ModelGroup[];
}

/** Renders the config text for what first-run setup found; `when` dates the header. */
export function renderInitialConfig(facts: FirstConfigFacts, when: Date): string {
  const { groups } = facts;
  const width = Math.min(
    24,
    Math.max(8, ...groups.flatMap((g) => g.entries.map((e) => yamlKey(e.name).length + 1))),
  );
  const lines = [
    "# dispatch config: the worker CLIs (backends), the models they run, and aliases.",
    `# Written by 'dispatch config init' on ${when.toISOString().slice(0, 10)}. Edit freely;`,
    "# 'dispatch config add-model|alias|default|remove' keep your comments and order.",
    "",
    "# The model used when a request names none (dispatch asks you to confirm it first).",
    `default: ${yamlScalar(facts.default)}`,
    "",
    "# Worker CLIs found on PATH. Per backend you may add: env (added to the worker's",
    "# environment, e.g. a gateway URL), args (extra flags), bin (the executable), max_concurrent.",
    "backends:",
  ];
  for (const backend of facts.backends) lines.push(`  ${backend}: { type: ${backend} }`);
  lines.push("  scripted: { type: scripted }  # built-in scripted worker: demos and tests, no API key");
  for (const { backend, error } of facts.failed) {
    lines.push(
      `  # ${backend}: listing its models failed (${error}); add them with 'dispatch config add-model'`,
    );
  }
  lines.push(
    "",
    "# Models, grouped by provider. The key is the name you use in a request; add",
    "# `model: ID` when the CLI needs a different id, `args: [...]` for extra flags.",
    "models:",
  );
  for (const group of groups) {
    lines.push(`  # ${group.label}: ${group.note}`);
    for (const e of group.entries) {
      lines.push(
        `  ${`${yamlKey(e.name)}:`.padEnd(width)} ${flowMap({ backend: e.backend, model: e.modelId })}`,
      );
    }
  }
  lines.push(
    "  # Built in",
    `  ${"scripted:".padEnd(width)} { backend: scripted }`,
    "",
    "# Aliases: a name for a model with a prompt and/or a permission tier (read, edit, full), e.g.",
    '#   reviewer: { model: opus, prompt: "You are a careful code reviewer.", tier: read }',
    "aliases: {}",
  );
  return lines.join("\n") + "\n";
}
