/**
 * `deno task bench`: measures the budgets of DESIGN §8 on this machine and
 * prints p50/p95 with the budget, plus the polling baseline of the earlier
 * dispatch (monitor polls every 3 s, workers poll for answers every 5 s)
 * and our speed-up over it.
 *
 * Everything runs the real launcher (`bin/dispatch`) as separate processes,
 * timed from spawn to exit, in throwaway homes.
 * @module
 */
import { row, summarize, type Summary } from "./stats.ts";
import { answer } from "../src/ipc/questions.ts";
import { systemClock } from "../src/context.ts";
import { readEvents } from "../src/store/journal.ts";
import { livePidsWithEnv, startTimeOf } from "../src/proc/procfs.ts";
import { questionRound } from "./question_round.ts";
import { benchHistory } from "./history.ts";
import { benchMonitor } from "./monitor.ts";
import {
  BIN,
  envFor,
  fakeTask,
  makeHome,
  N,
  quick,
  ROOT,
  SCRIPTED,
  sleep,
  timed,
  writeQuestionFile,
} from "./harness.ts";

async function benchStart(): Promise<Summary> {
  const scenario = await Deno.makeTempFile();
  await Deno.writeTextFile(scenario, "tick all\n");
  const { home, project } = await makeHome(SCRIPTED(scenario));
  await timed(["status"], envFor(home), { cwd: project }); // warm the config cache
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const r = await timed(["start", "--title", `bench ${i}`, "--plan", "-", "--json"], envFor(home), {
      cwd: project,
      stdin: "- [ ] a\n",
    });
    samples.push(r.ms);
    // Let this worker finish first, so the next start is not timed against its boot on 2 cores.
    const id = JSON.parse(r.stdout).id;
    while (!(await Deno.readTextFile(`${home}/tasks/${id}/state.json`)).includes('"done"')) await sleep(50);
  }
  await timed(["cancel", "--all"], envFor(home), { cwd: project });
  await Deno.remove(home, { recursive: true });
  await Deno.remove(project, { recursive: true });
  return summarize(samples);
}

async function bigHome() {
  const { home, project } = await makeHome(SCRIPTED("/dev/null"));
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) {
    ids.push(await fakeTask(home, project, i, `session-${i % 20}`, { running: i % 20 === 0 }));
  }
  const lines: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const id = ids[i % 200]!;
    const type = ["progress", "progress", "question", "answered", "progress"][i % 5];
    lines.push(
      JSON.stringify({
        ts: Date.now(),
        type,
        task: id,
        session: `session-${(i % 200) % 20}`,
        project,
        text: `event ${i}`,
        question: 1,
      }),
    );
  }
  await Deno.writeTextFile(`${home}/journal.jsonl`, lines.join("\n") + "\n");
  return { home, project, ids };
}

async function benchStatusAndHook() {
  const { home, project, ids } = await bigHome();
  const env = envFor(home);
  const status: number[] = [];
  await timed(["status"], env, { cwd: project });
  for (let i = 0; i < N; i++) status.push((await timed(["status"], env, { cwd: project })).ms);

  // A session that has been delivered everything so far: the usual prompt.
  const hookInput = JSON.stringify({
    session_id: "session-3",
    cwd: project,
    prompt: "hi",
    hook_event_name: "UserPromptSubmit",
  });
  await timed(["hook", "UserPromptSubmit"], env, { stdin: hookInput, cwd: project });
  const hook: number[] = [];
  let delivered = 0;
  for (let i = 0; i < N; i++) {
    const id = ids[3]!;
    await writeQuestionFile(home, id, i + 2, `Question ${i}?`);
    await Deno.writeTextFile(
      `${home}/journal.jsonl`,
      JSON.stringify({
        ts: Date.now(),
        type: "question",
        task: id,
        session: "session-3",
        project,
        question: i + 2,
        text: `Question ${i}?`,
      }) + "\n",
      { append: true },
    );
    const r = await timed(["hook", "UserPromptSubmit"], env, { stdin: hookInput, cwd: project });
    if (r.stdout.includes(`Question ${i}?`)) delivered++;
    hook.push(r.ms);
  }
  // Nothing new since the last prompt and no task running: the launcher answers alone.
  const idle: number[] = [];
  for (let i = 0; i < N; i++) {
    idle.push((await timed(["hook", "UserPromptSubmit"], env, { stdin: hookInput, cwd: project })).ms);
  }
  // A session's first prompt: no cursor yet; the journal index says it has no event to read.
  const fresh: number[] = [];
  for (let i = 0; i < N; i++) {
    const input = JSON.stringify({ session_id: `fresh-${i}`, cwd: project, prompt: "hi" });
    fresh.push((await timed(["hook", "UserPromptSubmit"], env, { stdin: input, cwd: project })).ms);
  }
  await Deno.remove(home, { recursive: true });
  await Deno.remove(project, { recursive: true });
  return {
    status: summarize(status),
    hook: summarize(hook),
    idle: summarize(idle),
    fresh: summarize(fresh),
    delivered,
  };
}

/**
 * Question written -> `dispatch watch` exits: the question file wakes the
 * supervisor's watch of the questions folder (its half runs here, as in
 * `runtime/worker_run.ts`), which journals it, which wakes `watch`.
 */
async function benchWatch(): Promise<Summary> {
  const { home, project } = await makeHome(SCRIPTED("/dev/null"));
  const clock = { home, ...systemClock() };
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const id = await fakeTask(home, project, i, "watcher", { running: true });
    const round = await questionRound(clock, home, id, i);
    const watcher = new Deno.Command(BIN, {
      args: ["watch", "--session", "watcher", "--timeout", "30s"],
      env: envFor(home),
      clearEnv: true,
      stdout: "piped",
      stderr: "null",
    }).spawn();
    await sleep(400); // let it reach its wait
    const done = watcher.output().then(() => Date.now());
    await round.ask();
    const exited = await done;
    samples.push(exited - await round.finish());
  }
  await Deno.remove(home, { recursive: true });
  await Deno.remove(project, { recursive: true });
  return summarize(samples);
}

/** Answer written -> `dispatch ask` returns. The ask runs under a stand-in worker wrapper, as `ask` requires. */
async function benchAsk(): Promise<Summary> {
  const { home, project } = await makeHome(SCRIPTED("/dev/null"));
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const id = await fakeTask(home, project, i, "asker", { running: true });
    const asker = new Deno.Command("sh", {
      args: ["-c", '"$@"; exit $?', "wrapper", BIN, "ask", `Question ${i}?`],
      env: envFor(home, { DISPATCH_TASK: id }),
      clearEnv: true,
      stdout: "piped",
      stderr: "null",
    }).spawn();
    // The supervisor records its worker's pid and start time: `ask` tells its task by them.
    const state = JSON.parse(await Deno.readTextFile(`${home}/tasks/${id}/state.json`));
    await Deno.writeTextFile(
      `${home}/tasks/${id}/state.json`,
      JSON.stringify({ ...state, pid: asker.pid, pidStart: startTimeOf(asker.pid) }),
    );
    while (true) {
      try {
        await Deno.lstat(`${home}/tasks/${id}/work/questions/001.json`);
        break;
      } catch {
        await sleep(20);
      }
    }
    await sleep(300);
    const t0 = Date.now();
    await answer({ home, ...systemClock() }, id, `Answer ${i}`);
    await asker.output();
    samples.push(Date.now() - t0);
  }
  await Deno.remove(home, { recursive: true });
  await Deno.remove(project, { recursive: true });
  return summarize(samples);
}

/** The earlier dispatch: a loop that sleeps `intervalS` between checks for a file. */
async function benchPollingBaseline(intervalS: number, n: number): Promise<Summary> {
  const dir = await Deno.makeTempDir();
  const runs = Array.from({ length: n }, async (_, i) => {
    const file = `${dir}/f${i}`;
    const poller = new Deno.Command("sh", {
      args: ["-c", `while [ ! -f "$1" ]; do sleep ${intervalS}; done`, "poll", file],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await sleep(Math.random() * intervalS * 1000); // the event lands at a random point of the poll cycle
    const t0 = Date.now();
    await Deno.writeTextFile(file, "x");
    await poller.status;
    return Date.now() - t0;
  });
  const samples = await Promise.all(runs);
  await Deno.remove(dir, { recursive: true });
  return summarize(samples);
}

/** 50 scripted workers, each asking 3 questions. */
async function benchFanOut(workers: number) {
  const { home, project } = await makeHome(SCRIPTED(`${ROOT}/test/fixtures/scenarios/ask3.txt`));
  const env = envFor(home, { DISPATCH_TICK_MS: "1000" });
  const t0 = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < workers; i += 10) {
    ids.push(
      ...await Promise.all(Array.from({ length: Math.min(10, workers - i) }, async (_, j) =>
        JSON.parse(
          (await timed(["start", "--title", `fan ${i + j}`, "--plan", "-", "--json"], env, {
            cwd: project,
            stdin: "- [ ] a\n- [ ] b\n",
          })).stdout,
        ).id as string)),
    );
  }
  let cursor = 0;
  let answered = 0;
  const deadline = Date.now() + 300_000;
  const finished = new Set<string>();
  while (finished.size < workers && Date.now() < deadline) {
    const { entries, end } = await readEvents(home, cursor);
    cursor = end;
    for (const { event } of entries) {
      if (event.type === "question") {
        await answer({ home, ...systemClock() }, event.task, `answer ${event.question}`, {
          question: event.question,
        });
        answered++;
      }
      if (event.type === "done" || event.type === "failed") finished.add(event.task);
    }
    await sleep(50);
  }
  const wall = Date.now() - t0;
  const events = (await readEvents(home, 0)).entries.map((e) => e.event);
  const count = (t: string) => events.filter((e) => e.type === t).length;
  const done = count("done");
  await sleep(500);
  const orphans = ids.reduce((n, id) => n + livePidsWithEnv(`DISPATCH_TASK=${id}`).length, 0);
  await Deno.remove(home, { recursive: true });
  await Deno.remove(project, { recursive: true });
  return {
    wall,
    questions: count("question"),
    answered: count("answered"),
    done,
    failed: count("failed"),
    orphans,
    answeredHere: answered,
  };
}

if (import.meta.main) {
  const only = Deno.args.includes("--only") ? Deno.args[Deno.args.indexOf("--only") + 1] : undefined;
  if (only !== undefined && only !== "history" && only !== "push") {
    throw new Error(`Unknown --only: '${only}' (history, push)`);
  }
  console.log(
    `dispatch bench (${
      quick ? "quick" : "full"
    }; ${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} cores)\n`,
  );
  if (only === "history") {
    await benchHistory();
  } else if (only === "push") {
    await pushRows();
  } else {
    await todaysRows();
    await benchHistory();
  }
}

/** Question -> host by each push: the background watch exiting, the monitor's line. Returns the watch's. */
async function pushRows(): Promise<Summary> {
  const watch = await benchWatch();
  console.log(row("question written -> watch exits", watch, { p95: 150 }));
  const monitor = await benchMonitor();
  console.log(row("question written -> monitor line", monitor, { p95: 150 }));
  const permission = await benchMonitor("permission");
  console.log(row("permission request -> monitor line", permission, { p95: 150 }));
  console.log(
    `  -> monitor ${(monitor.p50 / watch.p50).toFixed(2)}x the watch at p50, ${
      (monitor.p95 / watch.p95).toFixed(2)
    }x at p95, with no re-arm (the watch costs a tool call and a ~930-character notification per wake)`,
  );
  return watch;
}

/** The rows the bench printed before the history rows. */
async function todaysRows(): Promise<void> {
  const start = await benchStart();
  console.log(row("start returns (worker spawned)", start, { p50: 150 }));
  const { status, hook, idle, fresh, delivered } = await benchStatusAndHook();
  console.log(row("status, 200 tasks", status, { p50: 100 }));
  console.log(row("UserPromptSubmit hook, 200 tasks, 10k events", hook, { p50: 60, p95: 100 }));
  console.log(`${"".padEnd(44)} (delivered the new question in ${delivered}/${hook.n} runs)`);
  console.log(row("  same, nothing new (launcher fast path)", idle, { p50: 60, p95: 100 }));
  console.log(row("  same, a session's first prompt", fresh));
  const deno = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await new Deno.Command(Deno.execPath(), { args: ["eval", "0"], stdout: "null", stderr: "null" }).output();
    deno.push(performance.now() - t0);
  }
  const bare = summarize(deno);
  console.log(row("reference: bare 'deno eval 0' on this machine", bare));
  console.log(
    `  -> hook ${(hook.p50 / bare.p50).toFixed(2)}x, status ${(status.p50 / bare.p50).toFixed(2)}x, start ${
      (start.p50 / bare.p50).toFixed(2)
    }x the bare Deno start-up (p50)`,
  );
  const watch = await pushRows();
  const askS = await benchAsk();
  console.log(row("answer written -> ask returns", askS, { p95: 150 }));
  const n = quick ? 4 : 10;
  const [poll3, poll5] = await Promise.all([benchPollingBaseline(3, n), benchPollingBaseline(5, n)]);
  console.log(row("baseline: monitor polling every 3 s", poll3));
  console.log(row("baseline: worker polling every 5 s", poll5));
  console.log(
    `speed-up: question->host ${(poll3.p50 / watch.p50).toFixed(0)}x at p50, ${
      (poll3.p95 / watch.p95).toFixed(0)
    }x at p95; ` +
      `answer->worker ${(poll5.p50 / askS.p50).toFixed(0)}x at p50, ${
        (poll5.p95 / askS.p95).toFixed(0)
      }x at p95`,
  );
  const workers = quick ? 10 : 50;
  const fan = await benchFanOut(workers);
  console.log(
    `${workers} scripted workers x 3 questions: ${
      (fan.wall / 1000).toFixed(1)
    } s wall; questions ${fan.questions}, ` +
      `answered ${fan.answered}, done ${fan.done}, failed ${fan.failed}, lost events ${
        workers * 3 - fan.questions + (workers - fan.done - fan.failed)
      }, orphans ${fan.orphans}`,
  );
  try {
    const mod = await import("./host_context.ts");
    const figures = await mod.measureHostContext();
    console.log(`host context per task: ${JSON.stringify(figures)}`);
  } catch (e) {
    console.log(`host context per task: not measured (${e instanceof Error ? e.message.split("\n")[0] : e})`);
  }
}
