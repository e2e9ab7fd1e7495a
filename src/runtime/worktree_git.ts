/**
 * Running git for dispatch's trusted side (worktrees, the commit on end,
 * diff, overlap, merge). A worker in `edit` can write the repository's
 * `.git`, so nothing it could plant there may run here: hooks and the
 * fsmonitor are switched off, external diff and textconv drivers are not
 * used, and the caller's `GIT_*` variables (an author, a `GIT_DIR`) are
 * dropped so every call means the same thing.
 * @module
 */
import { UnavailableError } from "../errors.ts";

/** What one git call returned. */
export interface GitResult {
  ok: boolean;
  code: number;
  /** stdout as it came (NUL-separated for `-z`). */
  out: string;
  /** stdout without its trailing whitespace. */
  text: string;
  /** stderr's first line. */
  err: string;
}

/** Settings every trusted call runs with, ahead of its own arguments. */
export const SAFE_GIT = [
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.fsmonitor=false",
  "-c",
  "diff.external=",
  "-c",
  "core.pager=cat",
  "-c",
  "color.ui=false",
];

/** The identity dispatch commits as. */
export const DISPATCH_IDENTITY = ["-c", "user.name=dispatch", "-c", "user.email=dispatch@localhost"];

function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(Object.entries(Deno.env.toObject()).filter(([k]) => !k.startsWith("GIT_")));
  return { ...env, GIT_TERMINAL_PROMPT: "0", ...extra };
}

/** Runs `git ARGS` in `cwd`; `stdin` is written to it when given. */
export async function git(
  args: string[],
  cwd: string,
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<GitResult> {
  let child;
  try {
    child = new Deno.Command("git", {
      args: [...SAFE_GIT, ...args],
      cwd,
      env: cleanEnv(opts.env),
      clearEnv: true,
      stdin: opts.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UnavailableError("git not found: install git to use worktrees");
    }
    throw e;
  }
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin)).catch(() => {});
    await writer.close().catch(() => {});
  }
  const out = await child.output();
  const d = new TextDecoder();
  const stdout = d.decode(out.stdout);
  return {
    ok: out.success,
    code: out.code,
    out: stdout,
    text: stdout.trimEnd(),
    err: d.decode(out.stderr).trim().split("\n")[0] ?? "",
  };
}

/** The NUL-separated fields of a `-z` output, without the empty last one. */
export function nulFields(out: string): string[] {
  const fields = out.split("\0");
  if (fields.at(-1) === "") fields.pop();
  return fields;
}

/** Paths of `git status --porcelain -z`: what differs from HEAD, untracked included (both names of a rename). */
export function porcelainPaths(out: string): string[] {
  const fields = nulFields(out);
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    paths.push(f.slice(3));
    if (f[0] === "R" || f[0] === "C") paths.push(fields[++i] ?? ""); // the rename's source follows
  }
  return paths.filter((p) => p !== "");
}
