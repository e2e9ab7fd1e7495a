/**
 * Small YAML text builders for the lines dispatch writes into config.yaml
 * itself (first-run setup and edits), so new entries look like the ones a
 * person writes: `name: { backend: claude }`. Values are quoted only when
 * plain YAML would misread them; quoting uses JSON strings, which YAML reads
 * as double-quoted scalars.
 * @module
 */

const PLAIN = /^[A-Za-z0-9][\w.\/-]*$/;
const RESERVED = /^(?:true|false|yes|no|on|off|null|y|n|~)$/i;

/** A scalar as YAML text: plain when safe, else a double-quoted string. */
export function yamlScalar(value: string): string {
  if (PLAIN.test(value) && !RESERVED.test(value) && !/^[\d.+-]+$/.test(value)) return value;
  return JSON.stringify(value);
}

/** A mapping key as YAML text. */
export function yamlKey(name: string): string {
  return yamlScalar(name);
}

/** A flat mapping in flow style: `{ backend: claude, model: x }` (undefined values left out). */
export function flowMap(entries: Record<string, string | undefined>): string {
  const parts = Object.entries(entries).filter(([, v]) => v !== undefined).map(([k, v]) =>
    `${yamlKey(k)}: ${yamlScalar(v!)}`
  );
  return `{ ${parts.join(", ")} }`;
}
