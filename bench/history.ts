/**
 * History does not slow the present: the prompt hook at 10k, 100k and 1M
 * journal events, and `status` at 200 and 2,000 tasks in the project (most
 * ended long ago), each beside its small row as a ratio. Figures only:
 * nothing here asserts a timing.
 * @module
 */
import { row, summarize, type Summary } from "./stats.ts";
import { envFor, fakeTask, makeHome, N, removeHome, SCRIPTED, timed, writeQuestionFile } from "./harness.ts";

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

/** A home with 200 tasks over 20 sessions and `events` journal events, and its prompt-hook runner. */
async function hookHome(events: number) {
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
  // session-3 has been told everything so far; each later prompt brings it one new question.
  await Deno.mkdir(`${h.home}/sessions`, { recursive: true });
  const size = (await Deno.stat(`${h.home}/journal.jsonl`)).size;
  await Deno.writeTextFile(`${h.home}/sessions/session-3.json`, JSON.stringify({ hook: size }));
  let asked = 0;
  let delivered = 0;
  const later = async () => {
    const text = `Question ${asked++}?`;
    const line = JSON.stringify({
      ts: Date.now(),
      type: "question",
      task: ids[3],
      session: "session-3",
      project: h.project,
      question: asked + 1,
      text,
    });
    await writeQuestionFile(h.home, ids[3]!, asked + 1, text);
    await Deno.writeTextFile(`${h.home}/journal.jsonl`, line + "\n", { append: true });
    const r = await prompt("session-3");
    if (r.stdout.includes(text)) delivered++;
    return r.ms;
  };
  return { h, firstUse, prompt, later, delivered: () => delivered };
}

/** A home with `tasks` tasks in one project: 10 running, the rest ended one every 30 minutes back. */
async function statusHome(tasks: number) {
  const h = await makeHome(SCRIPTED("/dev/null"));
  const ids: string[] = [];
  for (let i = 0; i < tasks; i++) {
    const running = i >= tasks - 10;
    const endedAgoMs = (tasks - i) * 30 * 60_000;
    ids.push(await fakeTask(h.home, h.project, i, `session-${i % SESSIONS}`, { running, endedAgoMs }));
  }
  await writeJournal(h.home, h.project, ids, tasks * 5);
  const env = envFor(h.home);
  let rows = 0;
  const status = async () => {
    const r = await timed(["status"], env, { cwd: h.project });
    rows = r.stdout.split("\n").filter((l) => l.startsWith("bench-task-")).length;
    return r.ms;
  };
  const firstUse = await status();
  return { h, firstUse, status, rows: () => rows };
}

/** Runs `fns` round-robin `N` times each, so load on a shared machine falls on every row alike. */
async function interleaved(fns: (() => Promise<number>)[]): Promise<Summary[]> {
  const samples = fns.map(() => [] as number[]);
  for (let i = 0; i < N; i++) {
    for (const [k, fn] of fns.entries()) samples[k]!.push(await fn());
  }
  return samples.map(summarize);
}

function ratio(s: Summary, base: Summary): string {
  return `  ${(s.p50 / base.p50).toFixed(2)}x`;
}

/** Prints the history rows. */
export async function benchHistory(): Promise<void> {
  const scales = [10_000, 100_000, 1_000_000];
  const homes = [];
  for (const events of scales) homes.push(await hookHome(events));
  let fresh = 0;
  const first = await interleaved(
    homes.map((home) => () => home.prompt(`fresh-${fresh++}`).then((r) => r.ms)),
  );
  const later = await interleaved(homes.map((home) => home.later));
  for (const [i, events] of scales.entries()) {
    const label = `${events / 1000}k`.replace("1000k", "1M");
    console.log(row(`hook, first prompt, ${label} events`, first[i]!) + ratio(first[i]!, first[0]!));
    console.log(
      row(`hook, later prompt, ${label} events`, later[i]!) + ratio(later[i]!, later[0]!) +
        ` (delivered ${homes[i]!.delivered()}/${later[i]!.n})`,
    );
    console.log(
      `${"".padEnd(44)} (first hook on this home, which indexes the journal once: ${
        homes[i]!.firstUse.toFixed(0)
      } ms)`,
    );
  }
  for (const home of homes) await removeHome(home.h);
  const boards = [await statusHome(200), await statusHome(2000)];
  const status = await interleaved(boards.map((b) => b.status));
  for (const [i, tasks] of [200, 2000].entries()) {
    console.log(
      row(`status, ${tasks} tasks in the project`, status[i]!) + ratio(status[i]!, status[0]!) +
        ` (${boards[i]!.rows()} rows shown; first call ${boards[i]!.firstUse.toFixed(0)} ms)`,
    );
  }
  for (const board of boards) await removeHome(board.h);
}

if (import.meta.main) await benchHistory();
