/**
 * Push: how events reach a host session between prompts. `monitor`: the
 * plugin's monitor (`dispatch watch --stream`) runs for the whole session and
 * each line it prints is a notification. `watch`: the host keeps one
 * background `dispatch watch` armed and re-arms it after each wake-up. Claude
 * Code runs plugin monitors in the interactive CLI only, and not where its
 * Monitor tool is unavailable (Bedrock, Vertex, Foundry); everywhere else
 * (`claude -p`, the SDK, other hosts) the push is `watch`.
 * @module
 */
import { liveMonitors, type SessionRecord } from "../store/sessions.ts";

/** A push mode. */
export type Push = "monitor" | "watch";

const NO_MONITOR_TOOL = ["CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_USE_FOUNDRY"];

function truthy(v: string | undefined): boolean {
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

/**
 * The push for a session, from its hook's environment: `DISPATCH_PUSH` when
 * set to one, else `monitor` when a monitor already streams to it or the host
 * is Claude Code's interactive CLI (`CLAUDE_CODE_ENTRYPOINT=cli`; `-p` says
 * `sdk-cli`) on a provider with the Monitor tool, else `watch`.
 */
export function pushFor(env: Record<string, string>, record: SessionRecord = {}): Push {
  if (env.DISPATCH_PUSH === "monitor" || env.DISPATCH_PUSH === "watch") return env.DISPATCH_PUSH;
  if (liveMonitors(record).length > 0) return "monitor";
  if (env.CLAUDE_CODE_ENTRYPOINT !== "cli") return "watch";
  return NO_MONITOR_TOOL.some((k) => truthy(env[k])) ? "watch" : "monitor";
}

/** The line the session's context carries about its push. */
export function pushLine(push: Push): string {
  return `dispatch push: ${push}`;
}
