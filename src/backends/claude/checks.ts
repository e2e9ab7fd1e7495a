/**
 * Is Claude Code authenticated: `claude auth status`, which spends no token.
 * @module
 */
import { envWhere } from "../auth_helpers.ts";
import type { AuthInput, AuthOutcome } from "../profile.ts";

/** Asks `claude auth status` (JSON in recent versions, text in older ones). */
export async function claudeAuth({ name, probe }: AuthInput): Promise<AuthOutcome> {
  const r = await probe(["auth", "status"]);
  let status: { loggedIn?: unknown; authMethod?: unknown; apiKeySource?: unknown } = {};
  try {
    status = JSON.parse(r.stdout.slice(r.stdout.indexOf("{")));
  } catch {
    // older versions print text
  }
  if (r.code === 0 && status.loggedIn !== false) {
    const how = [status.authMethod, status.apiKeySource].filter((x) => typeof x === "string").join(", ");
    return { ok: true, detail: `logged in${how ? ` (${how})` : ""}` };
  }
  return {
    ok: false,
    detail: r.timedOut
      ? "'claude auth status' timed out"
      : `not logged in ('claude auth status' exited ${r.code})`,
    fix: `run 'claude auth login' (or 'claude setup-token'), or set ANTHROPIC_API_KEY under ${
      envWhere(name)
    }`,
  };
}
