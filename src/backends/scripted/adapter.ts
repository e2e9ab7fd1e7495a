/**
 * The built-in scripted worker: this helper itself, following a scenario
 * instead of a model. It needs no API key; `dispatch demo` and the tests use it.
 * @module
 */
import type { BackendAdapter, LaunchInput, LaunchSpec, RunReport } from "../types.ts";

/** Runs `dispatch _scripted-worker [--scenario FILE]`. */
export const scriptedBackend: BackendAdapter = {
  name: "scripted",
  launch(input: LaunchInput): LaunchSpec {
    const scenario = input.backend.scenario ? ["--scenario", input.backend.scenario] : [];
    return {
      argv: [...input.self, "_scripted-worker", ...scenario, ...(input.backend.args ?? [])],
      stdin: "prompt",
    };
  },
  report(log: string): RunReport {
    const report: RunReport = {};
    for (const line of log.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        const record = JSON.parse(line);
        if (record.type === "session") report.nativeSession = record.session_id;
        if (record.type === "rate_limited") report.rateLimited = true;
        if (record.type === "usage") {
          report.usage = {
            inputTokens: record.input_tokens,
            outputTokens: record.output_tokens,
            costUsd: record.cost_usd,
          };
        }
      } catch {
        // ordinary output that starts with a brace
      }
    }
    return report;
  },
};
