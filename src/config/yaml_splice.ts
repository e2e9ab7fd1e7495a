/**
 * The two halves of a config edit (src/config/edit.ts): the text splice
 * that touches only the lines that change, and the document edit that says
 * what the result must mean; {@linkcode finish} keeps the splice only when
 * both agree.
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import { type Document, isMap, isScalar, parseDocument, type Scalar, type YAMLMap } from "yaml";
import { yamlKey, yamlScalar } from "./yaml_text.ts";

function endOfLine(text: string, pos: number): number {
  if (pos > 0 && text[pos - 1] === "\n") return pos;
  const nl = text.indexOf("\n", pos);
  return nl < 0 ? text.length : nl + 1;
}

function startOfLine(text: string, pos: number): number {
  return text.lastIndexOf("\n", pos - 1) + 1;
}

/** `text` with `start..end` replaced by `insert`. */
export function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** `text` ending in a newline (unless empty). */
export function withNewline(text: string): string {
  return text === "" || text.endsWith("\n") ? text : text + "\n";
}

/** A mapping entry as the yaml package parses it. */
export type Pair = { key: Scalar; value: unknown };

/** The top-level entry `key` and its mapping, when it has one. */
export function section(doc: Document, key: string): { pair?: Pair; map?: YAMLMap } {
  const root = doc.contents;
  if (!isMap(root)) return {};
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
  return { pair, map: pair && isMap(pair.value) ? pair.value : undefined };
}

/** The entry `name` of a mapping. */
export function entry(map: YAMLMap | undefined, name: string): Pair | undefined {
  return map?.items.find((p) => isScalar(p.key) && String(p.key.value) === name) as Pair | undefined;
}

/** A node's `[start, valueEnd, nodeEnd]` offsets in the text it was parsed from. */
export function range(node: unknown): [number, number, number] | undefined {
  const r = (node as { range?: [number, number, number] } | undefined)?.range;
  return r && r.length === 3 ? r : undefined;
}

/** The value's YAML text for a new entry: flow style, or block style under `indent` when multi-field. */
export type Rendered = { flow: string } | { block: Record<string, string | undefined> };

function renderBlock(fields: Record<string, string | undefined>, indent: string): string {
  return Object.entries(fields).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${indent}${yamlKey(k)}: ${yamlScalar(v!)}\n`).join("");
}

/**
 * Sets `name` in the top-level mapping `sectionKey` as text: replaces an
 * existing entry's value in place, or inserts a line after `anchor` (the
 * last entry of the same kind), aligned like it. Undefined when the layout
 * is not one we splice (a flow mapping with entries, odd indentation).
 */
export function spliceEntry(
  text: string,
  sectionKey: string,
  name: string,
  value: Rendered,
  anchor?: (p: Pair) => boolean,
): string | undefined {
  // positions come from the text as it is, not from the edited document
  const { pair, map } = section(parseDocument(text), sectionKey);
  const valueText = (indent: string) =>
    "flow" in value ? ` ${value.flow}\n` : `\n${renderBlock(value.block, indent + "  ")}`;
  if (!pair) {
    return `${withNewline(text)}\n${sectionKey}:\n  ${yamlKey(name)}:${valueText("  ")}`;
  }
  const sectionValue = range(pair.value);
  const keyRange = range(pair.key);
  if (!keyRange || !sectionValue) return undefined;
  const empty = (isScalar(pair.value) && pair.value.value === null) || (map && map.items.length === 0);
  if (empty) {
    // `models:` with nothing, or `aliases: {}`: the entry goes on the next line
    return splice(
      text,
      keyRange[1],
      endOfLine(text, sectionValue[1]),
      `:\n  ${yamlKey(name)}:${valueText("  ")}`,
    );
  }
  if (!map || map.flow) return undefined;
  const existing = entry(map, name);
  if (existing) {
    const k = range(existing.key);
    const v = range(existing.value);
    if (!k || !v) return undefined;
    // a block value's range ends after its newline; keep that newline
    const valueEnd = text[v[1] - 1] === "\n" ? v[1] - 1 : v[1];
    if ("flow" in value) {
      const gap = text.slice(k[1], v[0]);
      return splice(text, k[1], valueEnd, `${gap.includes("\n") ? ": " : gap}${value.flow}`);
    }
    const indent = text.slice(startOfLine(text, k[0]), k[0]);
    return splice(text, k[1], endOfLine(text, valueEnd), `:\n${renderBlock(value.block, indent + "  ")}`);
  }
  const items = map.items as Pair[];
  const after = [...items].reverse().find((p) => anchor?.(p)) ?? items[items.length - 1]!;
  const k = range(after.key);
  const v = range(after.value);
  if (!k || !v) return undefined;
  const lineStart = startOfLine(text, k[0]);
  const indent = text.slice(lineStart, k[0]);
  if (!/^ +$/.test(indent)) return undefined;
  let key = `${yamlKey(name)}:`;
  const gap = text.slice(k[1], v[0]);
  if ("flow" in value && /^: +$/.test(gap)) {
    // keep the column the neighbours' values are aligned on
    key = key.padEnd(v[0] - k[0] - 1);
  }
  const line = "flow" in value ? `${indent}${key} ${value.flow}\n` : `${indent}${key}${valueText(indent)}`;
  const at = endOfLine(text, v[1]);
  return splice(withNewline(text.slice(0, at)), at, at, line) + text.slice(at);
}

/** Removes the lines of entry `name` in `sectionKey`; undefined when not spliceable. */
export function spliceRemove(text: string, sectionKey: string, name: string): string | undefined {
  const { map } = section(parseDocument(text), sectionKey);
  if (!map || map.flow || map.items.length <= 1) return undefined; // an emptied section becomes `{}`: re-render
  const existing = entry(map, name);
  const k = range(existing?.key);
  const v = range(existing?.value);
  if (!k || !v) return undefined;
  const start = startOfLine(text, k[0]);
  let end = endOfLine(text, v[1]);
  // a blank line before and after the entry: keep one, not two
  if (text.slice(0, start).endsWith("\n\n") && text[end] === "\n") end++;
  return splice(text, start, end, "");
}

/**
 * Chooses the splice when it means exactly what the document edit means;
 * otherwise the re-rendered document (comments kept, layout normalised).
 */
export function finish(doc: Document, spliced: string | undefined): string {
  const expected = doc.toJS();
  if (spliced !== undefined) {
    const check = parseDocument(spliced);
    if (check.errors.length === 0 && isDeepStrictEqual(check.toJS(), expected)) return spliced;
  }
  return doc.toString({ lineWidth: 0 });
}

/** The document edit: sets `sectionKey.name` to `value`, creating the section if needed. */
export function setIn(
  doc: Document,
  sectionKey: string,
  name: string,
  value: Record<string, unknown>,
  flow: boolean,
) {
  const root = doc.contents as YAMLMap;
  let map = doc.get(sectionKey, true);
  if (!isMap(map)) {
    map = doc.createNode({});
    root.set(sectionKey, map);
  }
  const node = doc.createNode(value, { flow });
  const existing = entry(map as YAMLMap, name);
  if (existing) existing.value = node;
  else (map as YAMLMap).set(doc.createNode(name), node);
  if ((map as YAMLMap).flow && !flow) (map as YAMLMap).flow = false;
}
