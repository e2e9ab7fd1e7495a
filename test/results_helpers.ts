/**
 * Helpers for the worktree results tests: a sandbox whose project is a real
 * git repository and whose model `gitw` runs `test/fixtures/git_worker`,
 * which does what its plan's indented `    $ ` lines say in its worktree.
 * @module
 */
import { ROOT, runBin, type Sandbox, sandbox, waitForState } from "./helpers.ts";

/** Runs git in `cwd` as a test user; throws on failure. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.email=t@example.com", "-c", "user.name=T", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).trim();
}

/** The config: the git worker as model `gitw`, plus `extra` lines. */
export function gitConfig(extra = ""): string {
  return [
    "default: gitw",
    "backends:",
    `  gitw: { command: "${ROOT}/test/fixtures/git_worker", model_flag: "" }`,
    "models:",
    "  gitw: { backend: gitw }",
    "limits: { max_concurrent: 64 }",
    extra,
  ].join("\n") + "\n";
}

/** A sandbox whose project is a git repository on `main` with `files` committed. */
export async function repoSandbox(files: Record<string, string>, extraConfig = ""): Promise<Sandbox> {
  const sb = await sandbox(gitConfig(extraConfig));
  await Deno.remove(`${sb.project}/.git`, { recursive: true });
  await git(sb.project, "init", "-q", "-b", "main");
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(`${sb.project}/${path}`.replace(/\/[^/]*$/, ""), { recursive: true });
    await Deno.writeTextFile(`${sb.project}/${path}`, text);
  }
  await git(sb.project, "add", "-A");
  await git(sb.project, "commit", "-q", "-m", "init");
  return sb;
}

/** A plan whose worker runs `script` (shell lines) in its worktree. */
export function scriptPlan(script: string[]): string {
  return ["# plan", "- [ ] do it", ...script.map((l) => `    $ ${l}`), ""].join("\n");
}

/** Starts a worktree task running `script`; returns its id. */
export async function startScripted(sb: Sandbox, title: string, script: string[]): Promise<string> {
  const r = await sb.run(["start", "--title", title, "--worktree", "--plan", "-", "--json"], {
    stdin: scriptPlan(script),
  });
  if (r.code !== 0) throw new Error(`start failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout).id;
}

/** Starts the tasks and waits until each has ended; returns their ids. */
export async function runScripted<const T extends readonly (readonly [string, readonly string[]])[]>(
  sb: Sandbox,
  tasks: T,
): Promise<{ [K in keyof T]: string }> {
  const ids = await Promise.all(tasks.map(([title, script]) => startScripted(sb, title, [...script])));
  for (const id of ids) await waitForState(sb, id, ["done", "failed"]);
  return ids as { [K in keyof T]: string };
}

/** The journal's events of one type for one task. */
export async function eventsOf(sb: Sandbox, id: string, type: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(`${sb.home}/journal.jsonl`);
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l.replaceAll("\0", "")))
    .filter((e) => e.task === id && e.type === type);
}

/** A snapshot of the checkout: HEAD, status and every file's text (for "unchanged"). */
export async function snapshot(dir: string): Promise<string> {
  const files: string[] = [];
  for await (const e of walk(dir, "")) files.push(`${e}=${await Deno.readTextFile(`${dir}/${e}`)}`);
  return [await git(dir, "rev-parse", "HEAD"), await git(dir, "status", "--porcelain"), ...files.sort()].join(
    "\n",
  );
}

async function* walk(root: string, rel: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(`${root}/${rel}`)) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.name === ".git") continue;
    if (e.isDirectory) yield* walk(root, path);
    else if (e.isFile) yield path;
  }
}

/** Runs the launcher with the sandbox's env in `cwd`. */
export function runIn(sb: Sandbox, cwd: string, args: string[]) {
  return runBin(args, sb.env, { cwd });
}
