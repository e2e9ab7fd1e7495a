/**
 * The permission relay's part of a claude worker's command line: a
 * PreToolUse hook (matcher Bash) that runs `<dispatch bin> permission-hook`
 * (src/cli/permission_hook.ts). The hook answers `defer` for a command the
 * task's rules do not allow, which ends the run with `tool_deferred`; the
 * answer resumes the session and the hook is asked again (verified with
 * claude 2.1.330; a PermissionRequest hook fires in `-p` but cannot defer).
 * Not in `full`: there nothing asks.
 * @module
 */
import type { Tier } from "../../tier.ts";

/** Single-quotes `s` for the shell claude runs hook commands with. */
function shellQuoted(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The hook command for helper `bin`. */
export function permissionHookCommand(bin: string): string {
  return `${shellQuoted(bin)} permission-hook`;
}

/** The `--settings` flags that install the hook, or none in `full`. */
export function permissionHookFlags(tier: Tier, bin: string): string[] {
  if (tier === "full") return [];
  const hook = { type: "command", command: permissionHookCommand(bin), timeout: 60 };
  return ["--settings", JSON.stringify({ hooks: { PreToolUse: [{ matcher: "Bash", hooks: [hook] }] } })];
}
