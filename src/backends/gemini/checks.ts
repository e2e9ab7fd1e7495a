/**
 * Is Gemini CLI authenticated. It has no auth status command; these are the
 * credentials it reads (gemini 0.61.0).
 * @module
 */
import { exists, readTextOrUndefined } from "../../store/fsx.ts";
import { envWhere, readSettings, selectedAuthType } from "../auth_helpers.ts";
import type { AuthInput, AuthOutcome } from "../profile.ts";

/** Looks for an API key, Vertex or Code Assist settings, a `.env` key, or a Google sign-in. */
export async function geminiAuth({ name, env }: AuthInput): Promise<AuthOutcome> {
  const dir = `${env.GEMINI_CLI_HOME || env.HOME || ""}/.gemini`;
  const type = selectedAuthType(await readSettings(`${dir}/settings.json`));
  const dotenv = (await readTextOrUndefined(`${dir}/.env`).catch(() => undefined)) ?? "";
  if (env.GOOGLE_GEMINI_BASE_URL && !type) {
    return {
      ok: false,
      detail: "GOOGLE_GEMINI_BASE_URL is set but no auth type is selected (gemini 0.61 then exits 41)",
      fix: `add {"security":{"auth":{"selectedType":"gemini-api-key"}}} to ${dir}/settings.json`,
    };
  }
  const signedIn = type === "oauth-personal" && await exists(`${dir}/oauth_creds.json`).catch(() => false);
  const source = env.GEMINI_API_KEY
    ? "GEMINI_API_KEY is set"
    : env.GOOGLE_GENAI_USE_VERTEXAI && (env.GOOGLE_API_KEY || env.GOOGLE_CLOUD_PROJECT)
    ? "Vertex AI (GOOGLE_GENAI_USE_VERTEXAI)"
    : env.GOOGLE_GENAI_USE_GCA
    ? "Code Assist (GOOGLE_GENAI_USE_GCA)"
    : /^\s*(?:export\s+)?GEMINI_API_KEY\s*=/m.test(dotenv)
    ? `GEMINI_API_KEY in ${dir}/.env`
    : signedIn
    ? "signed in with Google"
    : type && type !== "oauth-personal"
    ? `auth type ${type} selected in settings.json`
    : undefined;
  if (source) return { ok: true, detail: source };
  return {
    ok: false,
    detail: "no credentials (no GEMINI_API_KEY, Vertex or Google sign-in)",
    fix: `set GEMINI_API_KEY under ${
      envWhere(name)
    } (or export it), or run 'gemini' once and sign in with Google`,
  };
}
