/**
 * Question written -> the monitor's line: one `dispatch watch --stream`
 * process runs for the whole bench (as Claude Code runs the plugin's
 * monitor); each question is journaled by a supervisor's half running here
 * (as in `benchWatch`), and the figure is the time from the question file's
 * `ts` to the line arriving on the monitor's stdout. Nothing is re-armed
 * between samples.
 * @module
 */
import { summarize, type Summary } from "./stats.ts";
import { systemClock } from "../src/context.ts";
import { questionRound } from "./question_round.ts";
import { BIN, envFor, fakeTask, makeHome, N, removeHome, SCRIPTED, sleep } from "./harness.ts";

/** p50/p95 of question (or permission request) written -> monitor line, over N to one long-running monitor. */
export async function benchMonitor(kind: "question" | "permission" = "question"): Promise<Summary> {
  const h = await makeHome(SCRIPTED("/dev/null"));
  const { home, project } = h;
  const clock = { home, ...systemClock() };
  const monitor = new Deno.Command(BIN, {
    args: ["watch", "--stream", "--session", "monitor"],
    env: envFor(home),
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const spawned = Date.now();
  const arrivals: number[] = [];
  let arrived: (() => void) | undefined;
  const reader = (async () => {
    let rest = "";
    for await (const chunk of monitor.stdout.pipeThrough(new TextDecoderStream())) {
      rest += chunk;
      const lines = rest.split("\n");
      rest = lines.pop()!;
      for (const _ of lines) arrivals.push(Date.now());
      if (lines.length > 0) arrived?.();
    }
  })();
  await sleep(600); // let it start and reach its wait
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const id = await fakeTask(home, project, i, "monitor", { running: true });
    const round = await questionRound(clock, home, id, i, kind);
    const before = arrivals.length;
    const line = new Promise<number>((resolve) => {
      arrived = () => arrivals.length > before && resolve(arrivals[before]!);
    });
    await round.ask();
    const at = await line;
    samples.push(at - await round.finish());
  }
  // Its stdin closing ends it (the host gone), past its first second (a stdin closed that soon says nothing);
  // a monitor that outlives that by 5 s is a bug, named here.
  await sleep(Math.max(0, spawned + 1500 - Date.now()));
  await monitor.stdin.close();
  const ended = await Promise.race([monitor.status.then(() => true), sleep(5000).then(() => false)]);
  if (!ended) {
    console.log("  (the monitor did not exit within 5 s of its stdin closing: sent SIGTERM)");
    monitor.kill("SIGTERM");
    await monitor.status;
  }
  await Promise.race([reader, sleep(5000)]);
  await removeHome(h);
  return summarize(samples);
}
