/**
 * Escaping text for the formats tier mappings and checks write: TOML
 * strings (codex's `-c` overrides, gemini's policy file) and regular
 * expressions built from literal text.
 * @module
 */

/** A TOML basic string (JSON's escapes are valid TOML). */
export function tomlString(s: string): string {
  return JSON.stringify(s);
}

/** `s` as a regular expression that matches it literally. */
export function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
