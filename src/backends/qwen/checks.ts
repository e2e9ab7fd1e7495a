/**
 * Is Qwen Code authenticated. `qwen auth` was removed (0.24.4): this checks
 * what it reads.
 * @module
 */
import type { BackendConfig } from "../../config/schema.ts";
import { exists } from "../../store/fsx.ts";
import { envWhere, readSettings, selectedAuthType } from "../auth_helpers.ts";
import type { AuthInput, AuthOutcome } from "../profile.ts";

function hasArg(backend: BackendConfig, ...flags: string[]): boolean {
  return (backend.args ?? []).some((a) => flags.some((f) => a === f || a.startsWith(`${f}=`)));
}

/** Looks for a key in the backend's args or environment, or a Qwen OAuth sign-in. */
export async function qwenAuth({ name, env, backend }: AuthInput): Promise<AuthOutcome> {
  const dir = `${env.HOME || ""}/.qwen`;
  const type = selectedAuthType(await readSettings(`${dir}/settings.json`));
  const signedIn = type === "qwen-oauth" && await exists(`${dir}/oauth_creds.json`).catch(() => false);
  const source = hasArg(backend, "--openai-api-key")
    ? "--openai-api-key in backends.args"
    : env.OPENAI_API_KEY
    ? "OPENAI_API_KEY is set"
    : env.DASHSCOPE_API_KEY
    ? "DASHSCOPE_API_KEY is set"
    : signedIn
    ? "signed in with Qwen OAuth"
    : type && type !== "qwen-oauth"
    ? `auth type ${type} selected in settings.json`
    : undefined;
  if (source) return { ok: true, detail: source };
  return {
    ok: false,
    detail: "no credentials (no OPENAI_API_KEY, no Qwen OAuth sign-in)",
    fix: `set OPENAI_API_KEY (and OPENAI_BASE_URL) under ${
      envWhere(name)
    } and args [--auth-type, openai], or run 'qwen' once and sign in`,
  };
}
