/**
 * Model families: which provider a model name belongs to, judged from its
 * shape, and which worker CLI is that provider's own. The routing rules users
 * know follow from it: opus/sonnet/haiku-style names prefer the claude CLI,
 * gpt/codex/o-series names prefer codex, gemini names gemini, qwen names qwen.
 * @module
 */

/** A provider family. */
export type Family = "anthropic" | "openai" | "google" | "qwen" | "cursor";

interface FamilyInfo {
  family: Family;
  /** Heading used in config.yaml for this family's models. */
  label: string;
  /** The CLI (backend type) that is this family's own. */
  native: string;
  /** Provider prefixes used by multi-provider CLIs (opencode: `anthropic/claude-...`). */
  prefixes: string[];
  /** Names of this family, without a provider prefix. */
  pattern: RegExp;
}

/** Claude Code's own model aliases (claude 2.1.330 accepts these for --model). */
export const CLAUDE_ALIASES = ["opus", "sonnet", "haiku", "fable"] as const;

const FAMILIES: FamilyInfo[] = [
  {
    family: "anthropic",
    label: "Anthropic (Claude)",
    native: "claude",
    prefixes: ["anthropic"],
    // claude-opus-4-5, opus, sonnet-4.6, opus-4.5-thinking (Cursor's spelling)
    pattern: /^(?:claude-[a-z0-9][\w.-]*|(?:opus|sonnet|haiku|fable)(?:[-.]\d[\w.-]*)?)$/i,
  },
  {
    family: "openai",
    label: "OpenAI (GPT, Codex)",
    native: "codex",
    prefixes: ["openai"],
    // gpt-5.5, gpt-4o, o3, o4-mini, gpt-5.3-codex, codex-mini-latest; the o-series only in lower case
    // so that "O2" in prose is not a model
    pattern: /^(?:(?:chat)?gpt-[\w.-]+|o[1-9](?:-[a-z][\w.-]*)?|codex-[\w.-]+|[\w.]+-codex(?:-[\w.-]+)?)$/,
  },
  {
    family: "google",
    label: "Google (Gemini)",
    native: "gemini",
    prefixes: ["google", "vertex", "google-vertex"],
    pattern: /^(?:gemini|gemma)-[\w.-]+$/i,
  },
  {
    family: "qwen",
    label: "Alibaba (Qwen)",
    native: "qwen",
    prefixes: ["qwen", "alibaba", "dashscope"],
    pattern: /^(?:qwen\d[\w.-]*|qwen-[\w.-]+|coder-model)$/i,
  },
  {
    family: "cursor",
    label: "Cursor",
    native: "cursor",
    prefixes: ["cursor"],
    pattern: /^composer-[\w.-]+$/i,
  },
];

/** Family headings in the order config.yaml lists them. */
export const FAMILY_LABELS: readonly string[] = FAMILIES.map((f) => f.label);

function split(name: string): { prefix?: string; bare: string } {
  const slash = name.lastIndexOf("/");
  return slash < 0
    ? { bare: name }
    : { prefix: name.slice(0, slash).toLowerCase(), bare: name.slice(slash + 1) };
}

function info(name: string): FamilyInfo | undefined {
  const { prefix, bare } = split(name);
  if (prefix !== undefined) {
    const byPrefix = FAMILIES.find((f) => f.prefixes.includes(prefix));
    if (byPrefix) return byPrefix;
  }
  return FAMILIES.find((f) => f.pattern.test(bare));
}

/** The family of a model name, judged from its shape; undefined when it has none we know. */
export function familyOf(name: string): Family | undefined {
  return info(name)?.family;
}

/** The CLI that is the family's own (claude for Anthropic models, codex for OpenAI...). */
export function nativeBackend(family: Family): string {
  return FAMILIES.find((f) => f.family === family)!.native;
}

/**
 * The heading a model is grouped under in config.yaml: its family's label,
 * else its provider prefix (`openrouter/...`), else the CLI that lists it.
 */
export function groupLabel(name: string, listedBy: string): string {
  const fam = info(name);
  if (fam) return fam.label;
  const { prefix } = split(name);
  return prefix ?? listedBy;
}

/**
 * True for tokens that can only be a model name: a family pattern with a
 * digit or a dash in it (`gpt-5.5`, `claude-opus-4`, `o3`), never a plain
 * word like `opus` or `haiku`, which need context to count as a model.
 */
export function isModelShaped(token: string): boolean {
  const { bare } = split(token);
  if (!/[\d-]/.test(bare)) return false;
  return FAMILIES.some((f) => f.pattern.test(bare));
}
