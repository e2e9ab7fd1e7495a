/**
 * The built-in scripted worker: a stand-in for an AI coding CLI that follows
 * a scenario instead of a model. It talks to dispatch exactly as a real
 * worker does: it edits the plan file, runs `dispatch ask` through the
 * helper's path, writes output.md, prints output and exits.
 *
 * Scenario lines (blank lines and `#` comments ignored):
 *   say TEXT          print TEXT
 *   tick [N|all]      tick the next N unticked items (default 1)
 *   fail-item REASON  mark the next unticked item `[!]` with REASON
 *   ask QUESTION      run `dispatch ask QUESTION` and print the answer
 *   sleep DURATION    e.g. 200ms, 2s
 *   summary TEXT      write TEXT to output.md
 *   usage IN OUT [USD] print a usage record the scripted adapter reads
 *   session ID        print a session record the scripted adapter reads
 *   flood N           print N lines
 *   spawn-hang        start a child in its own session that sleeps for an hour
 *   hang              sleep for an hour
 *   rate-limit-once   the first time only: report a rate limit and exit 1
 *   exit CODE         exit with CODE
 * @module
 */
import { parseChecklist } from "../plan/checklist.ts";
import { parseDuration } from "../duration.ts";

/** The scenario `dispatch demo` and a scenario-less scripted backend run. */
export const DEMO_SCENARIO = `
session scripted-demo-session
say Reading the plan
sleep 300ms
tick
say Need a decision before going on
ask Which license header should the new files carry?
sleep 300ms
tick all
summary Finished every item. The answer to the question was applied.
usage 1200 340 0.0021
say All done
`;

/** One scenario step. */
export interface Step {
  op: string;
  arg: string;
}

/** Parses scenario text into steps; throws on an unknown operation. */
export function parseScenario(text: string): Step[] {
  const known = new Set([
    "say",
    "tick",
    "fail-item",
    "ask",
    "sleep",
    "summary",
    "usage",
    "session",
    "flood",
    "spawn-hang",
    "hang",
    "exit",
    "rate-limit-once",
  ]);
  const steps: Step[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const space = line.indexOf(" ");
    const op = space < 0 ? line : line.slice(0, space);
    const arg = space < 0 ? "" : line.slice(space + 1).trim();
    if (!known.has(op)) throw new Error(`Unknown scenario step: '${op}'`);
    steps.push({ op, arg });
  }
  return steps;
}

/** Ticks (or marks failed) the next `count` unticked items of a plan text. */
export function markNext(plan: string, count: number, mark: "x" | "!", reason = ""): string {
  const lines = plan.split("\n");
  let left = count;
  for (const item of parseChecklist(plan)) {
    if (left <= 0) break;
    if (item.mark === "done" || item.mark === "error") continue;
    lines[item.line] = lines[item.line]!.replace(/\[( |\?)\]/, `[${mark}]`) + (reason ? ` — ${reason}` : "");
    left--;
  }
  return lines.join("\n");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a scenario; returns the exit code. */
export async function runScenario(steps: Step[], env: Record<string, string>): Promise<number> {
  const plan = env.DISPATCH_PLAN;
  const out = (s: string) => console.log(s);
  for (const { op, arg } of steps) {
    switch (op) {
      case "say":
        out(arg);
        break;
      case "tick":
      case "fail-item": {
        if (!plan) throw new Error("DISPATCH_PLAN is not set");
        const text = await Deno.readTextFile(plan);
        const count = op === "tick" ? (arg === "all" ? Infinity : Number(arg || 1)) : 1;
        await Deno.writeTextFile(
          plan,
          markNext(text, count, op === "tick" ? "x" : "!", op === "fail-item" ? arg : ""),
        );
        out(op === "tick" ? `ticked ${arg || 1}` : `failed item: ${arg}`);
        break;
      }
      case "ask": {
        const bin = env.DISPATCH_BIN ?? "dispatch";
        const result = await new Deno.Command(bin, { args: ["ask", arg], stdin: "null", stderr: "inherit" })
          .output();
        if (!result.success) {
          out(`ask failed with code ${result.code}`);
          return result.code;
        }
        out(`answer: ${new TextDecoder().decode(result.stdout).trim()}`);
        break;
      }
      case "sleep":
        await sleep(parseDuration(arg, "sleep"));
        break;
      case "summary":
        if (env.DISPATCH_OUTPUT) await Deno.writeTextFile(env.DISPATCH_OUTPUT, arg + "\n");
        break;
      case "usage": {
        const [input, output, cost] = arg.split(/\s+/);
        out(
          JSON.stringify({
            type: "usage",
            input_tokens: Number(input),
            output_tokens: Number(output),
            cost_usd: cost ? Number(cost) : undefined,
          }),
        );
        break;
      }
      case "session":
        out(JSON.stringify({ type: "session", session_id: arg }));
        break;
      case "flood":
        for (let i = 0; i < Number(arg); i++) out(`line ${i} ${"·".repeat(60)}`);
        break;
      case "spawn-hang":
        new Deno.Command("sleep", {
          args: ["3600"],
          detached: true,
          stdin: "null",
          stdout: "null",
          stderr: "null",
        })
          .spawn().unref();
        break;
      case "hang":
        await sleep(3_600_000);
        break;
      case "exit":
        return Number(arg || 0);
      case "rate-limit-once": {
        const marker = `${env.DISPATCH_OUTPUT ?? "/tmp/dispatch-scripted"}.rate-limited`;
        try {
          await Deno.writeTextFile(marker, "1", { createNew: true });
        } catch {
          break; // limited before: this is the retry, carry on
        }
        out(JSON.stringify({ type: "rate_limited", message: "429 Too Many Requests" }));
        return 1;
      }
    }
  }
  return 0;
}
