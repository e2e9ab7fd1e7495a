/**
 * What the auth checks of several CLIs share: where a fix puts a variable,
 * and the settings files gemini and qwen keep their chosen auth type in.
 * @module
 */
import { readJsonOrUndefined } from "../store/fsx.ts";

/** Where a fix tells the user to put a variable for backend `name`. */
export function envWhere(name: string): string {
  return `backends.${name}.env in config.yaml`;
}

/** A CLI's settings.json, or undefined when it is missing or unreadable. */
export function readSettings(path: string): Promise<Record<string, unknown> | undefined> {
  return readJsonOrUndefined<Record<string, unknown>>(path).catch(() => undefined);
}

/** The auth type chosen in a gemini- or qwen-style settings.json (`security.auth.selectedType`). */
export function selectedAuthType(settings: Record<string, unknown> | undefined): string | undefined {
  const security = settings?.security as { auth?: { selectedType?: unknown } } | undefined;
  const type = security?.auth?.selectedType ?? (settings as { selectedAuthType?: unknown } | undefined)
    ?.selectedAuthType;
  return typeof type === "string" ? type : undefined;
}
