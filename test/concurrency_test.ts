import assert from "node:assert/strict";
import { journal, sandbox, startTask, taskStatus, waitFor, waitForState } from "./helpers.ts";

Deno.test("concurrency: two answers racing for one question; exactly one wins", async () => {
  await using sb = await sandbox();
  const id = await startTask(sb, "ask");
  await waitForState(sb, id, ["waiting"]);
  const [a, b] = await Promise.all([sb.run(["answer", id, "alpha"]), sb.run(["answer", id, "beta"])]);
  assert.deepEqual([a.code, b.code].sort(), [0, 1], `${a.stderr}${b.stderr}`);
  const loser = a.code === 0 ? b : a;
  assert.match(
    loser.stderr,
    // A loser slowed enough (a loaded machine) arrives after the winner's answer let the worker finish.
    /Already answered: question 1 of .* has an answer; nothing was changed|No open question|Cannot answer: task .* has ended \(done: All items done\)/,
  );
  const s = await waitForState(sb, id, ["done", "failed"]);
  assert.equal(s.state, "done");
  const answered = (await journal(sb.home)).filter((e) => e.task === id && e.type === "answered");
  assert.equal(answered.length, 1);
  const log = await Deno.readTextFile(`${sb.home}/tasks/${id}/worker.log`);
  assert.equal((log.match(/^answer: /gm) ?? []).length, 1);
});

Deno.test("concurrency: 50 workers asking at once; every question and answer arrives, no event lost", async () => {
  await using sb = await sandbox();
  sb.env.DISPATCH_TICK_MS = "1000"; // 50 supervisors ticking fast would only measure the machine
  const n = 50;
  const ids: string[] = [];
  for (let i = 0; i < n; i += 10) {
    ids.push(...await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => startTask(sb, "ask"))));
  }
  assert.equal(new Set(ids).size, n, "ids are unique");
  const answered = new Set<string>();
  await waitFor("every worker to finish", async () => {
    const status = JSON.parse((await sb.run(["status", "--json"])).stdout).tasks as Record<
      string,
      unknown
    >[];
    const waiting = status.filter((t) => t.state === "waiting" && !answered.has(t.id as string));
    await Promise.all(waiting.map(async (t) => {
      const r = await sb.run(["answer", t.id as string, `answer for ${t.id}`]);
      assert.equal(r.code, 0, r.stderr);
      answered.add(t.id as string);
    }));
    return status.filter((t) => t.state === "done").length === n ? true : undefined;
  }, 120_000);
  const events = await journal(sb.home);
  for (const type of ["started", "question", "answered", "done"]) {
    assert.equal(events.filter((e) => e.type === type).length, n, `${n} ${type} events`);
  }
  for (const id of ids) {
    const log = await Deno.readTextFile(`${sb.home}/tasks/${id}/worker.log`);
    assert.match(log, new RegExp(`answer: answer for ${id}`), `${id} got its own answer`);
    assert.equal((await taskStatus(sb, id)).state, "done");
  }
});
