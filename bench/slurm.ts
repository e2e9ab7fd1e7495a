/**
 * `deno run -A bench/slurm.ts [--quick]`: question → host latency through
 * the slurm runner beside the local one. A single-node cluster on 127.0.0.1
 * (test/slurm_cluster.ts, so root and Debian's slurm packages) runs the
 * scripted worker as a job; it asks N questions in turn, and each is timed
 * from the `ts` its `dispatch ask` wrote into the question file to the
 * moment a host watching the journal sees the supervisor's `question`
 * event. The same worker on the local runner gives the baseline; the ratio
 * is printed. Both clocks are this machine's (the node is this machine).
 * One node shares inotify with the supervisor; a third row measures the
 * supervisor's half with a watch that sees no events, as on NFS.
 * @module
 */
import { type HomeCtx, systemClock, watchDirWith } from "../src/context.ts";
import { row, summarize, type Summary } from "./stats.ts";
import { BIN, envFor, fakeTask, makeHome, N, removeHome, SCRIPTED, timed } from "./harness.ts";
import { questionRound } from "./question_round.ts";
import { slurmCluster } from "../test/slurm_cluster.ts";

const clock = systemClock();

/** Events the host sees: the question events of task `id` in the journal, by number. */
async function questionsSeen(home: string, id: string): Promise<Set<number>> {
  const text = await Deno.readTextFile(`${home}/journal.jsonl`).catch(() => "");
  const seen = new Set<number>();
  for (const line of text.split("\n")) {
    if (!line.includes('"question"')) continue;
    const e = JSON.parse(line);
    if (e.task === id && e.type === "question") seen.add(e.question);
  }
  return seen;
}

/** Runs one task of N questions on `runner`; resolves with each question's latency. */
async function round(runner: string, env: Record<string, string>, config: string): Promise<Summary> {
  const scenario = await Deno.makeTempFile({ suffix: ".txt" });
  const lines = Array.from({ length: N }, (_, i) => `ask Question ${i + 1}?`);
  await Deno.writeTextFile(scenario, [...lines, "tick all", ""].join("\n"));
  const h = await makeHome(config.replace("SCENARIO", scenario));
  const e = envFor(h.home, env);
  const started = await timed(
    ["start", "--title", `bench ${runner}`, "--runner", runner, "--plan", "-", "--json"],
    e,
    { cwd: h.project, stdin: "- [ ] a\n" },
  );
  const id = JSON.parse(started.stdout).id as string;
  const samples: number[] = [];
  await using wake = clock.watchDir(h.home, { match: (p) => p.endsWith("journal.jsonl"), pollMs: 1000 });
  for (let n = 1; n <= N; n++) {
    while (!(await questionsSeen(h.home, id)).has(n)) await wake.wait(1000);
    const seenAt = Date.now();
    const file = `${h.home}/tasks/${id}/work/questions/${String(n).padStart(3, "0")}.json`;
    samples.push(seenAt - JSON.parse(await Deno.readTextFile(file)).ts);
    await timed(["answer", id, "--question", String(n), `answer ${n}`], e, { cwd: h.project });
  }
  await timed(["cancel", "--all"], e, { cwd: h.project }).catch(() => {});
  await removeHome(h);
  await Deno.remove(scenario);
  return summarize(samples);
}

/**
 * The same relay when inotify cannot see the worker's writes (DISPATCH_HOME
 * on NFS, the worker on another node): the supervisor's half with a watch
 * that gets no events, waking only on the slurm runner's 500 ms poll.
 */
async function blindRound(): Promise<Summary> {
  const h = await makeHome(SCRIPTED("/dev/null"));
  const deaf: HomeCtx = {
    ...clock,
    home: h.home,
    // A folder that does not exist cannot be watched: the poll alone carries the wait.
    watchDir: (dir, opts) =>
      dir.endsWith("/questions")
        ? watchDirWith(clock.sleep, `${dir}/.unwatchable`, { ...opts, pollMs: 500, blindPollMs: 500 })
        : clock.watchDir(dir, opts),
  };
  const samples: number[] = [];
  await using wake = clock.watchDir(h.home, { match: (p) => p.endsWith("journal.jsonl"), pollMs: 1000 });
  for (let i = 0; i < N; i++) {
    const id = await fakeTask(h.home, h.project, i, "bench", { running: true });
    const r = await questionRound(deaf, h.home, id, i);
    await r.ask();
    while (!(await questionsSeen(h.home, id)).has(1)) await wake.wait(1000);
    const seenAt = Date.now();
    samples.push(seenAt - await r.finish());
  }
  await removeHome(h);
  return summarize(samples);
}

if (import.meta.main) {
  await using cluster = await slurmCluster();
  if (!cluster) Deno.exit(0); // slurmCluster said why
  const config = [
    "default: w",
    "backends:",
    "  s: { type: scripted, scenario: SCENARIO }",
    "models:",
    "  w: { backend: s }",
    "runners:",
    "  hpc: { type: slurm }", // the default poll, 500ms
    "",
  ].join("\n");
  const env = { SLURM_CONF: cluster.conf };
  const local = await round("local", env, config);
  const slurm = await round("hpc", env, config);
  console.log(`question → host, ${N} questions each (bin: ${BIN})`);
  console.log(row("local runner", local));
  console.log(row("slurm runner (one node, inotify)", slurm));
  const blind = await blindRound();
  console.log(row("supervisor's watch deaf (as NFS), poll 500ms", blind));
  const ratio = (a: Summary) =>
    `p50 ${(a.p50 / local.p50).toFixed(2)}×, p95 ${(a.p95 / local.p95).toFixed(2)}×`;
  console.log(`ratio to local: slurm ${ratio(slurm)}; deaf watch ${ratio(blind)}`);
}
