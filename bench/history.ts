/**
 * History does not slow the present: the prompt hook at 10k, 100k and 1M
 * journal events, and `status` at 200 and 2,000 tasks in the project (most
 * ended long ago), each beside its small row as a ratio. Figures only:
 * nothing here asserts a timing.
 * @module
 */
import { row, summarize, type Summary } from "./stats.ts";
import { envFor, fakeTask, makeHome, N, removeHome, SCRIPTED, timed } from "./harness.ts";

const TASKS = 200;
const SESSIONS = 20;

/** Writes `count` events over the home's tasks straight into the journal, in batches. */
async function writeJournal(home: string, project: string, ids: string[], count: number): Promise<void> {
  using file = await Deno.open(`${home}/journal.jsonl`, { create: true, append: true });
  const encoder = new TextEncoder();
  const ts = Date.now();
  for (let start = 0; start < count; start += 10_000) {
    let batch = "";
    for (let i = start; i < Math.min(count, start + 10_000); i++) {
      const task = i % ids.length;
      batch += JSON.stringify({
        ts,
        type: ["progress", "progress", "question", "answered", "progress"][i % 5],
        task: ids[task],
        session: `session-${task % SESSIONS}`,
        project,
        text: `event ${i}`,
        question: 1,
      }) + "\n";
    }
    const bytes = encoder.encode(batch);
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
  }
}

/** The hook on a session's first prompt and on a later one, at `events` journal events. */
async function hookAt(events: number) {
  const h = await makeHome(SCRIPTED("/dev/null"));
  const ids: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    ids.push(
      await fakeTask(h.home, h.project, i, `session-${i % SESSIONS}`, { running: i % SESSIONS === 0 }),
    );
  }
  await writeJournal(h.home, h.project, ids, events);
  const env = envFor(h.home);
  const prompt = (session: string) =>
    timed(["hook", "UserPromptSubmit"], env, {
      stdin: JSON.stringify({ session_id: session, cwd: h.project, prompt: "hi" }),
      cwd: h.project,
    });
  // The first hook on a home written by an older version also pays for any one-off migration.
  const firstUse = (await prompt("fresh-warm-up")).ms;
  const first: number[] = [];
  for (let i = 0; i < N; i++) first.push((await prompt(`fresh-${i}`)).ms);
  // A session told everything so far, then one new question for it: the usual prompt.
  await Deno.mkdir(`${h.home}/sessions`, { recursive: true });
  const size = (await Deno.stat(`${h.home}/journal.jsonl`)).size;
  await Deno.writeTextFile(`${h.home}/sessions/session-3.json`, JSON.stringify({ hook: size }));
  const later: number[] = [];
  let delivered = 0;
  for (let i = 0; i < N; i++) {
    const line = JSON.stringify({
      ts: Date.now(),
      type: "question",
      task: ids[3],
      session: "session-3",
      project: h.project,
      question: i + 2,
      text: `Question ${i}?`,
    });
    await Deno.writeTextFile(`${h.home}/journal.jsonl`, line + "\n", { append: true });
    const r = await prompt("session-3");
    if (r.stdout.includes(`Question ${i}?`)) delivered++;
    later.push(r.ms);
  }
  await removeHome(h);
  return { firstUse, first: summarize(first), later: summarize(later), delivered };
}

/** `status` with `tasks` tasks in the project: 10 running, the rest ended one every 30 minutes back. */
async function statusAt(tasks: number) {
  const h = await makeHome(SCRIPTED("/dev/null"));
  const ids: string[] = [];
  for (let i = 0; i < tasks; i++) {
    const running = i >= tasks - 10;
    const endedAgoMs = (tasks - i) * 30 * 60_000;
    ids.push(await fakeTask(h.home, h.project, i, `session-${i % SESSIONS}`, { running, endedAgoMs }));
  }
  await writeJournal(h.home, h.project, ids, tasks * 5);
  const env = envFor(h.home);
  const firstUse = (await timed(["status"], env, { cwd: h.project })).ms;
  const samples: number[] = [];
  let rows = 0;
  for (let i = 0; i < N; i++) {
    const r = await timed(["status"], env, { cwd: h.project });
    rows = r.stdout.split("\n").filter((l) => l.startsWith("bench-task-")).length;
    samples.push(r.ms);
  }
  await removeHome(h);
  return { firstUse, summary: summarize(samples), rows };
}

function ratio(s: Summary, base: Summary): string {
  return `  ${(s.p50 / base.p50).toFixed(2)}x`;
}

/** Prints the history rows. */
export async function benchHistory(): Promise<void> {
  const scales = [10_000, 100_000, 1_000_000];
  const hooks = [];
  for (const events of scales) hooks.push(await hookAt(events));
  const base = hooks[0]!;
  for (const [i, events] of scales.entries()) {
    const h = hooks[i]!;
    const label = `${events / 1000}k`.replace("1000k", "1M");
    console.log(row(`hook, first prompt, ${label} events`, h.first) + ratio(h.first, base.first));
    console.log(
      row(`hook, later prompt, ${label} events`, h.later) + ratio(h.later, base.later) +
        ` (delivered ${h.delivered}/${h.later.n})`,
    );
    console.log(
      `${"".padEnd(44)} (first hook on this home, which indexes the journal once: ${
        h.firstUse.toFixed(0)
      } ms)`,
    );
  }
  const small = await statusAt(200);
  const large = await statusAt(2000);
  for (const [tasks, s] of [[200, small], [2000, large]] as const) {
    console.log(
      row(`status, ${tasks} tasks in the project`, s.summary) + ratio(s.summary, small.summary) +
        ` (${s.rows} rows shown; first call ${s.firstUse.toFixed(0)} ms)`,
    );
  }
}

if (import.meta.main) await benchHistory();
