/**
 * `dispatch start`: validate, write the task's files, hand it to a detached
 * supervisor, and return at once.
 * @module
 */
import { InputError } from "../errors.ts";
import type { Ctx } from "../context.ts";
import type { Config } from "../config/schema.ts";
import type { Tier } from "../tier.ts";
import { resolveModel } from "../models/resolve.ts";
import { adapterFor } from "../backends/registry.ts";
import { launchInput } from "../backends/launch_input.ts";
import { MAX_PLAN_BYTES, parseChecklist, validatePlan } from "../plan/checklist.ts";
import { readAtMost } from "../store/fsx.ts";
import { renderPrompt } from "../worker/prompt.ts";
import { ensureDir, writeAtomic, writeJsonAtomic } from "../store/fsx.ts";
import { homePaths, taskPaths } from "../store/paths.ts";
import type { TaskSpec, TaskState } from "../store/tasks.ts";
import { emit } from "./events.ts";
import { projectOf } from "../store/project.ts";
import { addActive } from "../store/sessions.ts";
import { finalizeTask } from "./finalize.ts";
import { spawnSupervisor } from "./spawn_supervisor.ts";
import { createWorktree, removeWorktree, uncommittedCount, type Worktree } from "./worktree.ts";
import { resolveSetup } from "./worktree_setup.ts";
import { loadProjectWorktree, PROJECT_FILE } from "../config/project_file.ts";
import { crashPoint } from "../proc/crash_point.ts";
import type { Rules } from "../rules.ts";
import { taskRules } from "./permissions.ts";
import { chooseRunner } from "./runner.ts";

/** What the host asked for. */
export interface StartOptions {
  title: string;
  /** A model or alias name; the config default when absent. */
  model?: string;
  /** The checklist itself, or the file that holds it (absolute, or relative to `ctx.cwd`). */
  plan: string | { file: string };
  cwd: string;
  tier?: Tier;
  timeoutMs?: number;
  stallMs?: number;
  /** The host session that hears about the task; it is registered as running it. */
  session?: string;
  /** Run in a new git worktree on branch `dispatch/<id>` instead of the checkout itself. */
  worktree?: boolean;
  /** `--allow` and `--deny` (checked by the caller). */
  rules?: Partial<Rules>;
  /** `--runner`: where the worker runs, over the config's choice (runtime/runner.ts). */
  runner?: string;
}

/** Turns a title into the readable part of a task id. */
export function slugify(title: string): string {
  const slug = title.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(
    /[^a-z0-9]+/g,
    "-",
  ).replace(/^-+|-+$/g, "")
    .slice(0, 28).replace(/-+$/, "");
  return slug === "" ? "task" : slug;
}

function randomHex(): string {
  return crypto.getRandomValues(new Uint16Array(1))[0]!.toString(16).padStart(4, "0");
}

/**
 * Reads a plan file, reading at most one byte past the limit (so
 * `/dev/zero` costs 64 KiB, not gigabytes); an InputError when it is
 * missing, a folder, too large or not text.
 */
async function readPlanFile(ctx: Ctx, file: string): Promise<string> {
  const path = file.startsWith("/") ? file : `${ctx.cwd}/${file}`;
  let bytes: Uint8Array;
  try {
    if ((await Deno.stat(path)).isDirectory) throw new InputError(`Plan file is a directory: ${file}`);
    using handle = await Deno.open(path, { read: true });
    bytes = await readAtMost(handle, MAX_PLAN_BYTES + 1);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new InputError(`Plan file not found: ${file}`);
    if (e instanceof Deno.errors.PermissionDenied) throw new InputError(`Plan file not readable: ${file}`);
    throw e;
  }
  if (bytes.length > MAX_PLAN_BYTES) {
    throw new InputError(`Plan too large: ${file} is over ${MAX_PLAN_BYTES} bytes; keep the checklist short`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`Plan file is not valid UTF-8 text: ${file}`);
  }
}

async function checkCwd(cwd: string): Promise<string> {
  try {
    const real = await Deno.realPath(cwd);
    if ((await Deno.stat(real)).isDirectory) return real;
  } catch {
    // reported below
  }
  throw new InputError(`Working directory not found: ${cwd} (pass an existing folder with --cwd)`);
}

/**
 * Creates the task, starts its supervisor and registers it with its host
 * session. Resolves with the spec.
 */
export async function startTask(ctx: Ctx, config: Config, opts: StartOptions): Promise<TaskSpec> {
  const title = opts.title.trim();
  if (title === "" || /[\n\r]/.test(title) || title.includes("\u0000") || title.length > 200) {
    throw new InputError("Invalid title: give one line of at most 200 characters with --title");
  }
  const plan = validatePlan(
    typeof opts.plan === "string" ? opts.plan : await readPlanFile(ctx, opts.plan.file),
  );
  const resolved = resolveModel(config, opts.model);
  const adapter = await adapterFor(config, resolved.backend); // fails now, not in the background, if unusable
  const runner = chooseRunner(config, resolved, opts.runner, ctx.env);
  const cwd = await checkCwd(opts.cwd);
  const tier: Tier = opts.tier ?? resolved.tier ?? "edit";
  const project = await projectOf(cwd);
  // Before anything is written: a refused project file leaves nothing behind.
  const permissions = await taskRules({
    tier,
    plan,
    config,
    alias: resolved.alias,
    project,
    flags: opts.rules,
    worktree: opts.worktree,
  });
  const setup = opts.worktree
    ? resolveSetup(config, await loadProjectWorktree(project), `${project}/${PROJECT_FILE}`)
    : undefined;

  const home = homePaths(ctx.home);
  await ensureDir(home.tasks);
  let id = "";
  for (let attempt = 0;; attempt++) {
    id = `${slugify(title)}-${randomHex()}`;
    try {
      await Deno.mkdir(taskPaths(ctx.home, id).dir, { mode: 0o700 });
      break;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists) || attempt > 20) throw e;
    }
  }
  const paths = taskPaths(ctx.home, id);
  crashPoint("start:folder");
  let workCwd = cwd;
  let worktree: Worktree | undefined;
  if (opts.worktree) {
    try {
      const uncommitted = await uncommittedCount(project);
      worktree = {
        ...await createWorktree(ctx, project, id),
        ...(setup ? { setup } : {}),
        ...(uncommitted > 0 ? { uncommitted } : {}),
      };
    } catch (e) {
      await Deno.remove(paths.dir, { recursive: true }); // nothing changed
      throw e;
    }
    workCwd = worktree.path + cwd.slice(project.length);
  }
  const spec: TaskSpec = {
    id,
    title,
    project,
    cwd: workCwd,
    backend: resolved.backend,
    model: resolved.model,
    modelId: resolved.modelId,
    ...(resolved.alias ? { alias: resolved.alias } : {}),
    tier,
    ...(opts.session ? { session: opts.session } : {}),
    created: ctx.now(),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.stallMs ? { stallMs: opts.stallMs } : {}),
    ...(worktree ? { worktree } : {}),
    planItems: parseChecklist(plan).length,
    ...(permissions ? { permissions } : {}),
    ...(runner ? { runner } : {}),
  };
  try {
    // Fail now, in the foreground, on what the adapter refuses (a tier the CLI cannot honour).
    adapter.launch(launchInput(ctx, config, spec, "", paths.prompt));
  } catch (e) {
    await Deno.remove(paths.dir, { recursive: true });
    throw e;
  }
  const prompt = renderPrompt({
    id,
    title,
    planPath: paths.plan,
    outputPath: paths.output,
    cwd: workCwd,
    bin: ctx.bin,
    aliasPrompt: resolved.prompt,
    worktree: worktree !== undefined && tier !== "read", // a read worker has nothing to commit
  });
  try {
    // Made here, by the trusted side: a sandboxed worker's `ask` can write questions/ but not make answers/.
    await Deno.mkdir(paths.work, { mode: 0o700 });
    await Promise.all([paths.questions, paths.answers].map((d) => Deno.mkdir(d, { mode: 0o700 })));
    await Promise.all([
      writeAtomic(paths.plan, plan),
      writeAtomic(paths.prompt, prompt),
      writeJsonAtomic(paths.state, { state: "starting", since: ctx.now() } satisfies TaskState),
    ]);
    await writeJsonAtomic(paths.task, spec); // last: a task.json means the task is complete on disk
    await emit(ctx, spec, { type: "started", text: title });
  } catch (e) {
    // A full disk mid-way: leave nothing half-made (the worktree too), then say why in one line.
    await Deno.remove(paths.dir, { recursive: true }).catch(() => {});
    if (worktree) await removeWorktree(project, worktree).catch(() => {});
    throw e;
  }
  crashPoint("start:recorded");
  try {
    spawnSupervisor(ctx, id, workCwd);
  } catch (e) {
    await finalizeTask(ctx, id, { code: null, reason: `Could not start the supervisor: ${String(e)}` });
    throw e;
  }
  if (spec.session) {
    // The task is running now: a failure here must not read as a failed start.
    await addActive(ctx.home, spec.session, id, ctx.env).catch((e) =>
      ctx.stderr(
        `dispatch: Started ${id}, but could not register it with session ${spec.session}: ${
          e instanceof Error ? e.message.split("\n")[0] : e
        } (its notices may arrive late)\n`,
      )
    );
  }
  return spec;
}
