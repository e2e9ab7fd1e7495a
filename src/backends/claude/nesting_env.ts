/**
 * The variables a surrounding Claude Code session puts in its Bash tool's
 * environment, which a worker must not inherit.
 * @module
 */

/**
 * Variables Claude Code sets for the commands its Bash tool runs (seen with
 * claude 2.1.330: `CLAUDECODE`, `CLAUDE_CODE_ENTRYPOINT`, the session id,
 * messaging socket and token, `CLAUDE_PID`, ...), plus the IDE port. A
 * nested `claude -p` that inherits them takes itself for a child of the
 * host session; earlier dispatchers saw such workers die with exit 143.
 */
export const CLAUDE_NESTING_ENV: readonly string[] = [
  "CLAUDECODE",
  "CLAUDE_CODE_ENTRYPOINT",
  "CLAUDE_CODE_SSE_PORT",
  "CLAUDE_CODE_SESSION_ID",
  "CLAUDE_CODE_CHILD_SESSION",
  "CLAUDE_CODE_CHILD_NOTES_DIR",
  "CLAUDE_CODE_MESSAGING_SOCKET",
  "CLAUDE_CODE_MESSAGING_TOKEN",
  "CLAUDE_CODE_SESSION_ATTENDED",
  "CLAUDE_CODE_SESSION_KIND",
  "CLAUDE_CODE_LAUNCHED_BY_SESSION_IDS",
  "CLAUDE_CODE_EXECPATH",
  "CLAUDE_PID",
  "CLAUDE_EFFORT",
  "AI_AGENT",
];
