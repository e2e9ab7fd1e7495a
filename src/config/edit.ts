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
import { type Document, isMap, isScalar, parseDocument, type YAMLMap } from "yaml";
import { ConfigError, InputError, NotFoundError } from "../errors.ts";
import { homePaths } from "../store/paths.ts";
import { writeAtomic } from "../store/fsx.ts";
import { withLock } from "../store/lock.ts";
import { importParsers, parseConfigText, writeConfigCache } from "./load.ts";
import { configReadError, lstatRegular, MAX_CONFIG_BYTES, readConfigText } from "./read.ts";
import type { Config } from "./schema.ts";
import { type Tier, TIERS } from "../tier.ts";
import { flowMap, yamlScalar } from "./yaml_text.ts";
import {
  finish,
  range,
  section,
  setIn,
  splice,
  spliceEntry,
  spliceRemove,
  withNewline,
} from "./yaml_splice.ts";

/** Names a user may give models and aliases: what the resolver can find in text. */
const NAME = /^[A-Za-z0-9][\w.:\/@+-]{0,99}$/;

/** A proposed edit: the new text given the current text, its document and config. */
export type Edit = (current: {
  text: string;
  doc: Document.Parsed;
  config: Config;
  /** The built-in adapter types, which need no `backends:` entry. */
  builtins: readonly string[];
}) => {
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
 * Applies `edit` to `$home/config.yaml`: validates the result (knowing the
 * adapter types in `builtins`), keeps a backup, writes atomically. A config
 * that is not a regular file (a symlink included) is refused, as by loading.
 */
export async function editConfigFile(
  home: string,
  edit: Edit,
  builtins: readonly string[],
): Promise<EditResult> {
  const paths = homePaths(home);
  await lstatRegular(paths.config, MAX_CONFIG_BYTES).catch((e) => {
    throw configReadError(paths.config, e);
  });
  const parsers = await importParsers();
  return await withLock(`${home}/config.lock`, async () => {
    const { text } = await readConfigText(paths.config);
    const config = parseConfigText(text, paths.config, parsers, builtins);
    const doc = parseDocument(text);
    const result = edit({ text, doc, config, builtins });
    if (result.text === text) return { config, path: paths.config, message: result.message, changed: false };
    // bad input changes nothing: the new text must be a valid config, small enough to load again
    if (new TextEncoder().encode(result.text).length > MAX_CONFIG_BYTES) {
      throw new ConfigError(
        `Config too large: ${paths.config} would pass ${MAX_CONFIG_BYTES} bytes (not written)`,
      );
    }
    const next = parseConfigText(
      result.text,
      `${paths.config} (after the edit, not written)`,
      parsers,
      builtins,
    );
    const backup = backupPath(home);
    await writeAtomic(backup, text);
    await writeAtomic(paths.config, result.text);
    await writeConfigCache(home, next);
    return { config: next, path: paths.config, backup, message: result.message, changed: true };
  });
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

/** Options of {@linkcode addModel}. */
export interface ModelInput {
  backend: string;
  /** The id the CLI gets, when it differs from the name. */
  id?: string;
}

/** `add-model`: adds (or updates) a model, next to the other models of its backend. */
export function addModel(name: string, input: ModelInput): Edit {
  return ({ text, doc, config, builtins }) => {
    checkName(name, "model");
    if (name in config.aliases) {
      throw new InputError(
        `Name taken: '${name}' is an alias; pick another model name or remove the alias first`,
      );
    }
    const backends = [
      ...Object.keys(config.backends),
      ...builtins.filter((b) => !(b in config.backends)),
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
