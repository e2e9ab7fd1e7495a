/**
 * Is Cursor's agent authenticated: CURSOR_API_KEY, or `agent status`.
 * @module
 */
import { firstLine, stripAnsi } from "../../proc/probe.ts";
import { envWhere } from "../auth_helpers.ts";
import type { AuthInput, AuthOutcome } from "../profile.ts";

/** Looks for CURSOR_API_KEY, then asks `agent status`. */
export async function cursorAuth({ name, env, probe }: AuthInput): Promise<AuthOutcome> {
  if (env.CURSOR_API_KEY) return { ok: true, detail: "CURSOR_API_KEY is set" };
  const r = await probe(["status"]);
  const text = stripAnsi(r.stdout + r.stderr);
  if (r.code === 0 && !/not (?:logged|authenticated)|unauthenticated|log ?in required/i.test(text)) {
    return { ok: true, detail: firstLine(text) || "logged in" };
  }
  return {
    ok: false,
    detail: r.timedOut
      ? "'agent status' timed out"
      : `not logged in ('agent status': ${firstLine(text) || r.code})`,
    fix: `run 'agent login' (NO_OPEN_BROWSER=1 prints the URL), or set CURSOR_API_KEY under ${
      envWhere(name)
    }`,
  };
}
