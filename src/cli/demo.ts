/**
 * `dispatch demo`: the whole lifecycle (dispatch, progress, question,
 * answer, continue, done) on the built-in scripted worker, in a throwaway
 * home, with no API key.
 * @module
 */
import type { Ctx } from "../context.ts";
import { ensureDir } from "../store/fsx.ts";
import { homePaths, taskPaths } from "../store/paths.ts";
import { readEvents } from "../store/journal.ts";
import { startTask } from "../runtime/start.ts";
import { loadConfig } from "../backends/config_file.ts";
import { answer } from "../ipc/questions.ts";
import { loadView } from "../runtime/view.ts";
import { noticeFor, startLine } from "../render/notices.ts";
import { renderBoard } from "../render/board.ts";
import { StateError } from "../errors.ts";
import { parseFlags } from "./args.ts";

const HELP = `Usage: dispatch demo [--keep]

Runs the whole lifecycle on the built-in scripted worker in a temporary home: dispatch,
progress, a question, its answer, the worker continuing, done. Needs no API key.

Options:
  --keep   Keep the temporary home (its path is printed) instead of deleting it
`;

const PLAN = `# Demo: add license headers
- [ ] Find the source files without a header
- [ ] Add the header the user chooses
- [ ] Check that every file now has it
`;

const CONFIG = `# Written by 'dispatch demo'
default: scripted
backends:
  scripted: { type: scripted }
models:
  scripted: { backend: scripted }
`;

/** Runs the demo. */
export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const parsed = await parseFlags(ctx, args, { keep: { type: "boolean" } }, HELP);
  if (!parsed) return 0;
  const home = await Deno.makeTempDir({ prefix: "dispatch-demo-" });
  const project = await Deno.makeTempDir({ prefix: "dispatch-demo-project-" });
  const demo: Ctx = { ...ctx, home, cwd: project, env: { ...ctx.env, DISPATCH_HOME: home } };
  const say = (s: string) => ctx.stdout(s + "\n");
  const t0 = ctx.now();
  const stamp = () => `[${((ctx.now() - t0) / 1000).toFixed(1)}s]`;
  try {
    await ensureDir(home);
    await Deno.writeTextFile(homePaths(home).config, CONFIG, { mode: 0o600 });
    say(
      "dispatch demo: a background worker's whole lifecycle, on the built-in scripted worker (no API key).",
    );
    say(`home: ${home}\n`);
    const spec = await startTask(demo, await loadConfig(home), {
      title: "Demo: add license headers",
      plan: PLAN,
      cwd: project,
    });
    say(`${stamp()} dispatched  ${startLine(home, spec)}`);
    let cursor = 0;
    const deadline = ctx.now() + 30_000;
    while (ctx.now() < deadline) {
      const { entries, end } = await readEvents(home, cursor);
      cursor = end;
      for (const { event } of entries) {
        if (event.type === "progress") say(`${stamp()} progress    ${event.done}/${event.total} items done`);
        if (event.type === "question") {
          say(`${stamp()} question    ${noticeFor(home, event)!.split("\n")[0]}`);
          const reply = "MIT, with the SPDX identifier";
          say(`${stamp()} answering   dispatch answer ${spec.id} "${reply}"`);
          await answer(demo, spec.id, reply);
          say(`${stamp()} continued   the same worker got the answer and carries on`);
        }
        if (event.type === "done" || event.type === "failed") {
          say(`${stamp()} ${event.type.padEnd(11)} ${noticeFor(home, event, spec.created)}`);
          const summary = await Deno.readTextFile(taskPaths(home, spec.id).output).catch(() => "");
          if (summary) say(`             summary: ${summary.trim()}`);
          say("\n" + renderBoard([await loadView(demo, spec.id)], ctx.now()));
          if (event.type === "failed") throw new StateError(`Demo worker failed: ${event.text}`);
          return 0;
        }
      }
      await ctx.sleep(50);
    }
    throw new StateError("Demo timed out after 30 s: see the worker log under the printed home");
  } finally {
    if (parsed.values.keep) say(`(kept ${home})`);
    else await Deno.remove(home, { recursive: true }).catch(() => {});
    await Deno.remove(project, { recursive: true }).catch(() => {});
  }
}
