/**
 * Is opencode authenticated: providers in its config variables, or
 * `opencode auth list`; its own free models need nothing.
 * @module
 */
import { stripAnsi } from "../../proc/probe.ts";
import { envWhere } from "../auth_helpers.ts";
import type { AuthInput, AuthOutcome } from "../profile.ts";

/** Counts the credentials `opencode auth list` reports, unless every model is a free `opencode/*` one. */
export async function opencodeAuth({ name, env, models, probe }: AuthInput): Promise<AuthOutcome> {
  if (env.OPENCODE_CONFIG_CONTENT || env.OPENCODE_CONFIG) {
    return { ok: true, detail: "providers configured in OPENCODE_CONFIG(_CONTENT)" };
  }
  const r = await probe(["auth", "list"]);
  const text = stripAnsi(r.stdout + r.stderr);
  const count = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  const creds = count(/(\d+)\s+credentials?/);
  const vars = count(/(\d+)\s+environment variables?/);
  if (r.code === 0 && creds + vars > 0) {
    return { ok: true, detail: `${creds} stored credential(s), ${vars} environment variable(s)` };
  }
  const paid = models.filter((m) => !m.startsWith("opencode/"));
  if (r.code === 0 && paid.length === 0) {
    return { ok: true, detail: "no credentials; opencode's own free models (opencode/*) need none" };
  }
  return {
    ok: false,
    detail: r.code === 0
      ? `no credentials for ${paid.join(", ")}`
      : r.timedOut
      ? "'opencode auth list' timed out"
      : `'opencode auth list' exited ${r.code}`,
    fix: `run 'opencode auth login', or set the provider's API key (e.g. ANTHROPIC_API_KEY) under ${
      envWhere(name)
    }`,
  };
}
