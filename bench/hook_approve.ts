/**
 * The PreToolUse hook runs before every Bash call of the host session, so it
 * must cost little: a call that is not dispatch's ends in the launcher
 * (no Deno), and one that is gets its decision from Deno. Timed from spawn
 * to exit through the real launcher.
 *
 * Run alone: `deno run -A bench/hook_approve.ts [--quick]`.
 * @module
 */
import { row, summarize, type Summary } from "./stats.ts";
import { envFor, makeHome, N, SCRIPTED, timed } from "./harness.ts";

/** The hook's input for a Bash call of `command`. */
function event(command: string, cwd: string): string {
  return JSON.stringify({
    "session_id": "bench-session",
    "transcript_path": `${cwd}/.claude/transcript.jsonl`,
    cwd,
    "permission_mode": "default",
    "hook_event_name": "PreToolUse",
    "tool_name": "Bash",
    "tool_input": { command, description: "bench" },
    "tool_use_id": "toolu_bench",
  });
}

/** p50/p95 of the hook for another tool's call and for a dispatch command (approved). */
export async function benchApproveHook(): Promise<{ other: Summary; approved: Summary }> {
  const { home, project } = await makeHome(SCRIPTED("/dev/null"));
  const env = envFor(home);
  const samples = async (command: string, expect: string) => {
    const out: number[] = [];
    for (let i = 0; i <= N; i++) {
      const r = await timed(["hook", "PreToolUse"], env, { cwd: project, stdin: event(command, project) });
      if (!r.stdout.includes(expect)) throw new Error(`unexpected hook output for ${command}: ${r.stdout}`);
      if (i > 0) out.push(r.ms); // the first run warms the caches
    }
    return summarize(out);
  };
  try {
    return {
      other: await samples("npm test -- --watch=false", ""),
      approved: await samples("dispatch status", '"allow"'),
    };
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(project, { recursive: true });
  }
}

/** The bench's lines. */
export function approveRows(r: { other: Summary; approved: Summary }): string[] {
  return [
    row("PreToolUse hook, another Bash call (launcher)", r.other, { p50: 10, p95: 20 }),
    row("PreToolUse hook, dispatch status (approved)", r.approved, { p50: 100, p95: 150 }),
  ];
}

if (import.meta.main) console.log(approveRows(await benchApproveHook()).join("\n"));
