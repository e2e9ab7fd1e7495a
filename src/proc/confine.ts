/**
 * OS confinement for worker CLIs that have no sandbox of their own: the
 * worker runs under bubblewrap with the whole filesystem read-only but for
 * what its tier grants (its task's `work/` folder; in `edit` the project)
 * and the CLI's own state folders and /tmp. `$DISPATCH_HOME` stays
 * read-only even where it lies inside /tmp or the project, so a shell
 * command the CLI's rules let through (an allowed `cat x >> …`, a test
 * runner executing code the worker edited) still cannot write the journal,
 * another task, or the user's dotfiles.
 * @module
 */

/** Where a CLI keeps its own state: a folder under `$HOME`, or under an XDG base folder. */
export interface StatePath {
  under: "HOME" | "XDG_DATA_HOME" | "XDG_CONFIG_HOME" | "XDG_CACHE_HOME" | "XDG_STATE_HOME";
  path: string;
}

/** What a confined run may write, besides its CLI's state and /tmp. */
export interface ConfinePlan {
  /** Made read-only again after the loose grants (`$DISPATCH_HOME`). */
  protect: string[];
  /** Writable, bound after `protect` so they win over it (the work folder, the project). */
  writable: string[];
  /** Read-only again inside `writable`, bound last (files git or the host obey: runtime/guard.ts). */
  guarded?: string[];
  /** The CLI's own state folders (created when missing). */
  state: StatePath[];
}

const XDG_DEFAULTS: Record<Exclude<StatePath["under"], "HOME">, string> = {
  XDG_DATA_HOME: ".local/share",
  XDG_CONFIG_HOME: ".config",
  XDG_CACHE_HOME: ".cache",
  XDG_STATE_HOME: ".local/state",
};

/** The absolute folder `p` names in `env`; undefined without a `$HOME` to put it under. */
export function resolveState(p: StatePath, env: Record<string, string>): string | undefined {
  const home = env.HOME;
  if (p.under === "HOME") return home ? `${home}/${p.path}` : undefined;
  const base = env[p.under] || (home ? `${home}/${XDG_DEFAULTS[p.under]}` : undefined);
  return base ? `${base}/${p.path}` : undefined;
}

/**
 * The bubblewrap executable: `$DISPATCH_BWRAP`, else `bwrap` on `PATH`, else
 * the one codex's npm package bundles (found from `codex` on `PATH`);
 * undefined when there is none.
 */
export function findBwrap(env: Record<string, string>): string | undefined {
  const dirs = (env.PATH ?? "").split(":").filter((d) => d !== "");
  const candidates = [env.DISPATCH_BWRAP, ...dirs.map((d) => `${d}/bwrap`), ...dirs.flatMap(codexBundled)];
  for (const c of candidates) {
    if (!c) continue;
    try {
      const info = Deno.statSync(c);
      if (info.isFile && (info.mode ?? 0) & 0o111) return c;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** codex's bundled bwrap beside the `codex` in `dir` (npm: @openai/codex-linux-<arch>/vendor/<triple>/codex-resources). */
function codexBundled(dir: string): string[] {
  try {
    const script = Deno.realPathSync(`${dir}/codex`); // …/node_modules/@openai/codex/bin/codex.js
    const scope = script.replace(/\/codex\/bin\/codex\.js$/, "");
    if (scope === script) return [];
    const arch = Deno.build.arch === "aarch64" ? "arm64" : "x64";
    const vendor = `${scope}/codex-linux-${arch}/vendor`;
    return [...Deno.readDirSync(vendor)].map((e) => `${vendor}/${e.name}/codex-resources/bwrap`);
  } catch {
    return [];
  }
}

/**
 * The bubblewrap arguments that run `argv` under `plan`. Later binds win
 * over earlier ones on the same path, which is how `protect` narrows /tmp
 * and `writable` narrows `protect`. Paths that do not exist are skipped
 * (bubblewrap refuses a missing source).
 */
export function confinedArgv(
  bwrap: string,
  plan: ConfinePlan,
  env: Record<string, string>,
  argv: string[],
): string[] {
  const exists = (p: string) => {
    try {
      const info = Deno.statSync(p);
      return info.isDirectory || info.isFile;
    } catch {
      return false;
    }
  };
  const loose = ["/tmp", ...plan.state.map((s) => resolveState(s, env)).filter((p): p is string => !!p)];
  const args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--die-with-parent"];
  for (const p of loose) if (exists(p)) args.push("--bind", p, p);
  for (const p of plan.protect) if (exists(p)) args.push("--ro-bind", p, p);
  for (const p of plan.writable) if (exists(p)) args.push("--bind", p, p);
  for (const p of plan.guarded ?? []) if (exists(p) && !isLink(p)) args.push("--ro-bind", p, p);
  return [bwrap, ...args, "--", ...argv];
}

/** True when `p` is a symbolic link (never followed). */
export function isLink(p: string): boolean {
  try {
    return Deno.lstatSync(p).isSymlink;
  } catch {
    return false;
  }
}

/** Creates the CLI's state folders that are missing (0700), so they can be bound writable. */
export function ensureStateDirs(plan: ConfinePlan, env: Record<string, string>): void {
  for (const s of plan.state) {
    const dir = resolveState(s, env);
    if (dir) {
      try {
        Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch {
        // left unbound: the CLI then fails on its own state, in its log
      }
    }
  }
}
