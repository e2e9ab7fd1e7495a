/**
 * config.yaml with the built-in backends known: the config layer reads and
 * edits the file, and the backends layer (this one) says which adapter types
 * exist, so `models.X.backend: claude` and `type: codex` validate.
 * @module
 */
import type { Edit, EditResult } from "../config/edit.ts";
import { importParsers, loadConfigFile, parseConfigText } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { BUILTIN_BACKENDS } from "./registry.ts";

/** Loads and validates `$home/config.yaml`; throws NotFoundError when missing. */
export function loadConfig(home: string): Promise<Config> {
  return loadConfigFile(home, BUILTIN_BACKENDS);
}

/** Parses and validates config text; `file` names it in errors. */
export function parseConfig(
  text: string,
  file: string,
  parsers: Awaited<ReturnType<typeof importParsers>>,
): Config {
  return parseConfigText(text, file, parsers, BUILTIN_BACKENDS);
}

/** Applies `edit` to `$home/config.yaml` (see `editConfigFile`); the editor loads only when used. */
export async function editConfig(home: string, edit: Edit): Promise<EditResult> {
  const { editConfigFile } = await import("../config/edit.ts");
  return editConfigFile(home, edit, BUILTIN_BACKENDS);
}

export { importParsers };
