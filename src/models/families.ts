/**
 * Model families: which provider a model name belongs to, judged from its
 * shape, and which worker CLI is that provider's own. The routing rules users
 * know follow from it: opus/sonnet/haiku-style names prefer the claude CLI,
 * gpt/codex/o-series names prefer codex, gemini names gemini, qwen names qwen.
 * Each family is declared by its CLI's profile (`src/backends/<cli>/profile.ts`).
 * @module
 */
import { CLI_PROFILES } from "../backends/profiles.ts";
import type { FamilySpec } from "../backends/profile.ts";

/** A provider family (`anthropic`, `openai`, `google`, `qwen`, `cursor`). */
export type Family = string;

interface FamilyInfo extends FamilySpec {
  /** The CLI (backend type) that is this family's own. */
  native: string;
}

const FAMILIES: FamilyInfo[] = CLI_PROFILES.flatMap((p) => p.family ? [{ ...p.family, native: p.name }] : []);

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
