/**
 * The layer rule of `src/`, checked from the import lines: each folder (or
 * top-level file) sits on a layer, and a file may import only from its own
 * folder or a lower layer. Tests (`*_test.ts`) may import anything, since
 * they drive a unit from above. Also keeps every file in `src/` at 300
 * lines or fewer. Run: `deno run --allow-read tools/layers.ts` (CI does).
 * @module
 */

/** Folders and top-level files of `src/`, lowest layer first. Peers on one layer may not import each other. */
export const LAYERS: readonly (readonly string[])[] = [
  ["errors.ts"],
  ["duration.ts", "tier.ts", "rules.ts", "context.ts"],
  ["proc", "plan"],
  ["store", "worker"],
  ["config"],
  ["backends"],
  ["models"],
  ["doctor", "runtime"],
  ["render"],
  ["ipc"],
  ["cli"],
  ["main.ts"],
];

/** The longest a file in `src/` may be. */
export const MAX_LINES = 300;

/** One broken rule, as a line to print. */
export interface Violation {
  file: string;
  message: string;
}

const layerOf = new Map<string, number>(LAYERS.flatMap((units, i) => units.map((u) => [u, i] as const)));

/** The unit (first path segment under `src/`) a repository path belongs to, or undefined outside `src/`. */
export function unitOf(path: string): string | undefined {
  const m = /^src\/([^/]+)/.exec(path);
  return m?.[1]?.replace(/_test\.ts$/, ".ts");
}

/** Relative module specifiers a TypeScript file imports or re-exports (comments ignored). */
export function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const patterns = [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /^\s*import\s*["']([^"']+)["']/gm,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]!);
  return found.filter((s) => s.startsWith("."));
}

/** Resolves `spec` imported by repository path `from` to a repository path. */
export function resolveImport(from: string, spec: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const seg of spec.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  return parts.join("/");
}

/** Checks the given files (repository path → text) against the layer and size rules. */
export function check(files: Map<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of files) {
    const unit = unitOf(file);
    if (unit === undefined) continue;
    const lines = text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
    if (lines > MAX_LINES) out.push({ file, message: `${lines} lines (limit ${MAX_LINES}): split it` });
    const mine = layerOf.get(unit);
    if (mine === undefined) {
      out.push({ file, message: `src/${unit} is on no layer: add it to LAYERS in tools/layers.ts` });
      continue;
    }
    if (file.endsWith("_test.ts")) continue;
    for (const spec of importsOf(text)) {
      const target = resolveImport(file, spec);
      const theirs = unitOf(target);
      if (theirs === undefined) {
        out.push({ file, message: `imports ${spec}, outside src/` });
        continue;
      }
      if (theirs === unit) continue;
      const layer = layerOf.get(theirs);
      if (layer === undefined || layer >= mine) {
        const where = layer === undefined
          ? "on no layer"
          : layer === mine
          ? `on the same layer as src/${unit}`
          : `on a higher layer than src/${unit}`;
        out.push({ file, message: `imports ${spec}: src/${theirs} is ${where}` });
      }
    }
  }
  return out;
}

async function readTree(
  root: string,
  dir = "src",
  into = new Map<string, string>(),
): Promise<Map<string, string>> {
  for await (const entry of Deno.readDir(`${root}/${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) await readTree(root, path, into);
    else if (entry.isFile && path.endsWith(".ts")) into.set(path, await Deno.readTextFile(`${root}/${path}`));
  }
  return into;
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const files = await readTree(root);
  const violations = check(files);
  for (const v of violations) console.log(`${v.file}: ${v.message}`);
  console.log(
    violations.length === 0
      ? `layers: ${files.size} files, imports only point down, none over ${MAX_LINES} lines`
      : `layers: ${violations.length} problem(s) in ${files.size} files`,
  );
  Deno.exit(violations.length === 0 ? 0 : 1);
}
