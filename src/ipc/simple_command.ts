/**
 * A small, strict subset of shell, for deciding whether a Bash call is
 * exactly one simple command: words made of safe characters and plain
 * quotes, and at most one quoted heredoc as its last token. Anything outside
 * it (pipes, `;`, `&&`, redirections, substitutions, expansions, globs,
 * comments, newlines, assignments) does not parse.
 * @module
 */

/** A command as the shell would run it: its words after quote removal, and its heredoc body. */
export interface SimpleCommand {
  words: string[];
  /** The heredoc body (without its terminator line), when there is one. */
  stdin?: string;
}

/** Characters a word may hold outside quotes: nothing the shell expands, splits or redirects. */
const SAFE = /^[A-Za-z0-9_./:@+,=-]$/;
/** A heredoc operator whose delimiter is quoted, so the body is taken literally. */
const HEREDOC =
  /^<<[ \t]*(?:'([A-Za-z_][A-Za-z0-9_]*)'|"([A-Za-z_][A-Za-z0-9_]*)"|\\([A-Za-z_][A-Za-z0-9_]*))[ \t]*$/;
/** Control characters other than tab and newline (CR, NUL, escapes, bidi overrides that hide text) are never approved. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/** Splits line 1 into words, or undefined on anything outside the subset. */
function words(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    let word = "";
    let quoted = false;
    while (i < line.length && line[i] !== " " && line[i] !== "\t") {
      const ch = line[i]!;
      if (ch === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) return undefined;
        word += line.slice(i + 1, end);
        i = end + 1;
        quoted = true;
      } else if (ch === '"') {
        i++;
        for (;;) {
          if (i >= line.length) return undefined;
          const d = line[i]!;
          if (d === '"') break;
          // `$` and backticks expand, `!` is history expansion in some shells: never inside double quotes.
          if (d === "$" || d === "`" || d === "!") return undefined;
          if (d === "\\") {
            const next = line[i + 1];
            if (next !== '"' && next !== "\\") return undefined;
            word += next;
            i += 2;
            continue;
          }
          word += d;
          i++;
        }
        i++;
        quoted = true;
      } else if (SAFE.test(ch)) {
        // `=word` is a path lookup in zsh; a word may hold `=` only after its first character.
        if (ch === "=" && word === "" && !quoted) return undefined;
        word += ch;
        i++;
      } else {
        return undefined;
      }
    }
    out.push(word);
  }
  return out;
}

/**
 * Parses `command` as one simple command of the safe subset, or returns
 * undefined. A heredoc must be `<<'WORD'` (or `<<"WORD"`, `<<\WORD`) at the
 * end of the first line; its body ends at the first line that is exactly
 * WORD, and nothing but whitespace may follow that line.
 */
export function parseSimpleCommand(command: string): SimpleCommand | undefined {
  if (CONTROL.test(command)) return undefined;
  const nl = command.indexOf("\n");
  const first = nl < 0 ? command : command.slice(0, nl);
  const rest = nl < 0 ? "" : command.slice(nl + 1);
  const at = first.indexOf("<<");
  const head = at < 0 ? first : first.slice(0, at);
  const parsed = words(head);
  if (!parsed) return undefined;
  if (at < 0) {
    // No heredoc: a single line (a trailing newline alone is harmless).
    return rest === "" ? { words: parsed } : undefined;
  }
  // The operator must start a word (a `<<` glued to a word or inside quotes is refused).
  if (head !== "" && head.at(-1) !== " " && head.at(-1) !== "\t") return undefined;
  const m = HEREDOC.exec(first.slice(at));
  if (!m || nl < 0) return undefined;
  const delimiter = m[1] ?? m[2] ?? m[3]!;
  const lines = rest.split("\n");
  const end = lines.indexOf(delimiter);
  if (end < 0) return undefined;
  if (lines.slice(end + 1).some((l) => l.trim() !== "")) return undefined;
  return { words: parsed, stdin: lines.slice(0, end).join("\n") + (end > 0 ? "\n" : "") };
}
