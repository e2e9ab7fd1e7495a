/**
 * Is Codex authenticated: `codex login status`, an API key, or a custom
 * model provider (whose key dispatch cannot check).
 * @module
 */
import { firstLine } from "../../proc/probe.ts";
import { envWhere } from "../auth_helpers.ts";
import type { AuthInput, AuthOutcome } from "../profile.ts";

/** Asks `codex login status`, then looks for CODEX_API_KEY or a custom model_provider. */
export async function codexAuth({ name, env, backend, probe }: AuthInput): Promise<AuthOutcome> {
  const r = await probe(["login", "status"]);
  if (r.code === 0) return { ok: true, detail: firstLine(r.stdout || r.stderr) || "logged in" };
  if (env.CODEX_API_KEY) return { ok: true, detail: "CODEX_API_KEY is set" };
  if ((backend.args ?? []).some((a) => /model_provider\s*=/.test(a))) {
    return { ok: true, detail: "a custom model_provider in backends.args (its key is not checked)" };
  }
  return {
    ok: false,
    detail: r.timedOut
      ? "'codex login status' timed out"
      : `not logged in ('codex login status' exited ${r.code})`,
    fix:
      `run 'codex login', or 'printenv OPENAI_API_KEY | codex login --with-api-key', or set CODEX_API_KEY under ${
        envWhere(name)
      }`,
  };
}
