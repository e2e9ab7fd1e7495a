/**
 * Editing `config.yaml` the way a careful person would: only the lines that
 * change are touched, so the user's comments, blank lines, alignment and key
 * order stay as they were. Each edit is made twice, once on the parsed YAML
 * document (the `yaml` package's Document API: the meaning) and once as a
 * text splice (the look); the splice is used only when it parses to exactly
 * the document's result, else the document is re-rendered (comments still
 * kept). The result is validated like a loaded config before anything is
 * written; the previous file is kept as `config.yaml.bak`; both writes are
 * atomic and made under a lock, so concurrent edits do not lose each other.
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import { type Document, isMap, isScalar, parseDocument, type Scalar, type YAMLMap } from "yaml";
import { InputError, NotFoundError } from "../errors.ts";
import { homePaths } from "../store/paths.ts";
import { writeAtomic } from "../store/fsx.ts";
import { withLock } from "../store/lock.ts";
import { importParsers, parseConfig, writeConfigCache } from "./load.ts";
import { BUILTIN_BACKENDS } from "../backends/registry.ts";
import type { Config } from "./schema.ts";
import { type Tier, TIERS } from "../tier.ts";
import { flowMap, yamlKey, yamlScalar } from "./yaml_text.ts";

/** Names a user may give models and aliases: what the resolver can find in text. */
const NAME = /^[A-Za-z0-9][\w.:\/@+-]{0,99}$/;

/** A proposed edit: the new text given the current text, its document and config. */
export type Edit = (current: { text: string; doc: Document.Parsed; config: Config }) => {
  text: string;
  /** One line saying what changed, for the user. */
  message: string;
};

/** What an edit did. */
export interface EditResult {
  config: Config;
  path: string;
  /** Where the previous file was saved; undefined when nothing changed. */
  backup?: string;
  message: string;
  changed: boolean;
}

/** Where the previous config is kept. */
export function backupPath(home: string): string {
  return `${homePaths(home).config}.bak`;
}

/**
 * Applies `edit` to `$home/config.yaml`: validates the result, keeps a
 * backup, writes atomically (through a symlinked config to its target).
 */
export async function editConfig(home: string, edit: Edit): Promise<EditResult> {
  const paths = homePaths(home);
  const missing = () =>
    new NotFoundError(`No config: ${paths.config} does not exist; run 'dispatch config init'`);
  if (!(await Deno.lstat(paths.config).then(() => true, () => false))) throw missing();
  const parsers = await importParsers();
  return await withLock(`${home}/config.lock`, async () => {
    let text: string;
    try {
      text = await Deno.readTextFile(paths.config);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw missing();
      throw e;
    }
    const config = parseConfig(text, paths.config, parsers);
    const doc = parseDocument(text);
    const result = edit({ text, doc, config });
    if (result.text === text) return { config, path: paths.config, message: result.message, changed: false };
    // bad input changes nothing: the new text must be a valid config
    const next = parseConfig(result.text, `${paths.config} (after the edit, not written)`, parsers);
    const target = await Deno.realPath(paths.config).catch(() => paths.config);
    const backup = backupPath(home);
    await writeAtomic(backup, text);
    await writeAtomic(target, result.text);
    await writeConfigCache(home, next);
    return { config: next, path: paths.config, backup, message: result.message, changed: true };
  });
}

// ---------------------------------------------------------------- text splicing

function endOfLine(text: string, pos: number): number {
  if (pos > 0 && text[pos - 1] === "\n") return pos;
  const nl = text.indexOf("\n", pos);
  return nl < 0 ? text.length : nl + 1;
}

function startOfLine(text: string, pos: number): number {
  return text.lastIndexOf("\n", pos - 1) + 1;
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function withNewline(text: string): string {
  return text === "" || text.endsWith("\n") ? text : text + "\n";
}

type Pair = { key: Scalar; value: unknown };

function section(doc: Document, key: string): { pair?: Pair; map?: YAMLMap } {
  const root = doc.contents;
  if (!isMap(root)) return {};
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
  return { pair, map: pair && isMap(pair.value) ? pair.value : undefined };
}

function entry(map: YAMLMap | undefined, name: string): Pair | undefined {
  return map?.items.find((p) => isScalar(p.key) && String(p.key.value) === name) as Pair | undefined;
}

function range(node: unknown): [number, number, number] | undefined {
  const r = (node as { range?: [number, number, number] } | undefined)?.range;
  return r && r.length === 3 ? r : undefined;
}

/** The value's YAML text for a new entry: flow style, or block style under `indent` when multi-field. */
type Rendered = { flow: string } | { block: Record<string, string | undefined> };

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
function spliceEntry(
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
function spliceRemove(text: string, sectionKey: string, name: string): string | undefined {
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
function finish(doc: Document, spliced: string | undefined): string {
  const expected = doc.toJS();
  if (spliced !== undefined) {
    const check = parseDocument(spliced);
    if (check.errors.length === 0 && isDeepStrictEqual(check.toJS(), expected)) return spliced;
  }
  return doc.toString({ lineWidth: 0 });
}

// ---------------------------------------------------------------- the edits

function checkName(name: string, what: string): void {
  if (!NAME.test(name)) {
    throw new InputError(
      `Invalid ${what} name: '${name}' (use letters, digits and . _ - / : @ +, starting with a letter or digit)`,
    );
  }
}

function names(config: Config): string {
  const all = [...Object.keys(config.models), ...Object.keys(config.aliases)];
  return all.length ? all.join(", ") : "none";
}

function setIn(
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

/** Options of {@linkcode addModel}. */
export interface ModelInput {
  backend: string;
  /** The id the CLI gets, when it differs from the name. */
  id?: string;
}

/** `add-model`: adds (or updates) a model, next to the other models of its backend. */
export function addModel(name: string, input: ModelInput): Edit {
  return ({ text, doc, config }) => {
    checkName(name, "model");
    if (name in config.aliases) {
      throw new InputError(
        `Name taken: '${name}' is an alias; pick another model name or remove the alias first`,
      );
    }
    const backends = [
      ...Object.keys(config.backends),
      ...BUILTIN_BACKENDS.filter((b) => !(b in config.backends)),
    ];
    if (!backends.includes(input.backend)) {
      throw new InputError(
        `Unknown backend: '${input.backend}' (configured or built in: ${backends.join(", ")})`,
      );
    }
    const old = config.models[name];
    const value = { backend: input.backend, ...(input.id && input.id !== name ? { model: input.id } : {}) };
    if (old && old.backend === value.backend && old.model === value.model) {
      return { text, message: `Unchanged: model ${name} already runs on ${input.backend}` };
    }
    if (old && Object.keys(old).some((k) => k !== "backend" && k !== "model")) {
      // keep its other fields (args, ...): change only backend and id
      const map = doc.get("models", true) as YAMLMap;
      const node = map.get(name, true) as unknown as YAMLMap;
      node.set("backend", value.backend);
      if (value.model) node.set("model", value.model);
      else node.delete("model");
      return { text: finish(doc, undefined), message: `Updated model ${name} (${input.backend})` };
    }
    setIn(doc, "models", name, value, true);
    const spliced = spliceEntry(
      text,
      "models",
      name,
      { flow: flowMap({ backend: value.backend, model: value.model }) },
      (p) => isMap(p.value) && p.value.get("backend") === input.backend,
    );
    return {
      text: finish(doc, spliced),
      message: `${old ? "Updated" : "Added"} model ${name} (${input.backend}${
        value.model ? `, id ${value.model}` : ""
      })`,
    };
  };
}

/** Options of {@linkcode setAlias}; an undefined field keeps the alias's current value. */
export interface AliasInput {
  model?: string;
  /** Added to the worker's prompt; "" removes it. */
  prompt?: string;
  tier?: Tier;
}

/** `alias`: creates or changes an alias. */
export function setAlias(name: string, input: AliasInput): Edit {
  return ({ text, doc, config }) => {
    checkName(name, "alias");
    if (name in config.models) {
      throw new InputError(`Name taken: '${name}' is a model; pick another alias name`);
    }
    if (input.tier !== undefined && !(TIERS as readonly string[]).includes(input.tier)) {
      throw new InputError(`Invalid tier: '${input.tier}' (use read, edit or full)`);
    }
    const old = config.aliases[name];
    const model = input.model ?? old?.model;
    if (model === undefined) throw new InputError(`Missing model: give the alias a model with --model`);
    if (!(model in config.models)) {
      throw new InputError(
        `Unknown model: '${model}' (models: ${
          Object.keys(config.models).join(", ") || "none"
        }; add it with 'dispatch config add-model ${model} --backend B')`,
      );
    }
    const prompt = input.prompt === "" ? undefined : input.prompt ?? old?.prompt;
    const tier = input.tier ?? old?.tier;
    const fields: Record<string, string | undefined> = { model, prompt, tier };
    if (old && old.model === model && old.prompt === prompt && old.tier === tier) {
      return { text, message: `Unchanged: alias ${name}` };
    }
    const value = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    const flow = prompt === undefined;
    setIn(doc, "aliases", name, value, flow);
    const spliced = spliceEntry(
      text,
      "aliases",
      name,
      flow ? { flow: flowMap(fields) } : { block: fields },
    );
    return { text: finish(doc, spliced), message: `${old ? "Updated" : "Added"} alias ${name} = ${model}` };
  };
}

/** `default`: sets the model or alias used when a request names none. */
export function setDefault(name: string): Edit {
  return ({ text, doc, config }) => {
    if (!(name in config.models) && !(name in config.aliases)) {
      throw new InputError(`Unknown model or alias: '${name}' (available: ${names(config)})`);
    }
    if (config.default === name) return { text, message: `Unchanged: the default is already ${name}` };
    const { pair } = section(doc, "default");
    let spliced: string | undefined;
    if (pair && isScalar(pair.value) && range(pair.value) && pair.value.value !== null) {
      const r = range(pair.value)!;
      pair.value.value = name;
      spliced = splice(text, r[0], r[1], yamlScalar(name));
    } else {
      (doc.contents as YAMLMap).set("default", name);
      spliced = pair ? undefined : `${withNewline(text)}\ndefault: ${yamlScalar(name)}\n`;
    }
    return { text: finish(doc, spliced), message: `Default is now ${name}` };
  };
}

/** `remove`: removes a model or an alias nothing else uses. */
export function removeName(name: string): Edit {
  return ({ text, doc, config }) => {
    const isModel = name in config.models;
    if (!isModel && !(name in config.aliases)) {
      throw new NotFoundError(`No model or alias named '${name}' (available: ${names(config)})`);
    }
    const users: string[] = [];
    const fixes: string[] = [];
    if (isModel) {
      for (const [alias, a] of Object.entries(config.aliases)) {
        if (a.model === name) {
          users.push(`alias ${alias}`);
          fixes.push(`dispatch config alias ${alias} --model OTHER`);
        }
      }
    }
    if (config.default === name) {
      users.push("the default");
      fixes.push("dispatch config default OTHER");
    }
    if (users.length > 0) {
      throw new InputError(
        `Cannot remove ${isModel ? "model" : "alias"} '${name}': used by ${users.join(" and ")} (first run: ${
          fixes.join("; ")
        })`,
      );
    }
    const sectionKey = isModel ? "models" : "aliases";
    const spliced = spliceRemove(text, sectionKey, name);
    const map = doc.get(sectionKey, true) as YAMLMap;
    map.delete(name);
    if (map.items.length === 0) map.flow = true; // an emptied section reads `{}`, not null
    return { text: finish(doc, spliced), message: `Removed ${isModel ? "model" : "alias"} ${name}` };
  };
}
