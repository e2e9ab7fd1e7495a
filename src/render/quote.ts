/**
 * Worker text is data: the one place that decides how text a worker wrote
 * (plan items, `[!]` reasons, questions, output.md, its output) and text
 * passed along with it (titles, reasons) is shown. For the host model and
 * one-line views it is escaped onto one line, JSON-style, so it can never
 * start a line of its own; for a human's terminal (`logs`, `result`) its
 * lines are kept but every control is made visible and each line sits
 * under a gutter. Either way it is capped.
 * @module
 */

/**
 * Characters never shown raw: controls (C0, DEL, C1), line and paragraph
 * separators, format characters (bidi overrides and isolates, zero-width
 * spaces, tag characters that smuggle invisible text to a model) and lone
 * surrogates. The zero-width joiner is kept: emoji sequences need it.
 */
const UNSAFE = /(?!\u200d)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** {@linkcode UNSAFE} less the newline, which `JSON.stringify` writes only between values (indenting). */
const UNSAFE_IN_JSON = /(?![\u200d\n])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** The gutter that starts every line of worker text in `logs` and `result`. */
export const GUTTER = "│ ";

/** Longest question text in a notice: the notice, its reply line and others fit in the hook's context. */
export const QUESTION_CAP = 1500;
/** Longest reason in a notice or on the board: one line, always followed by our own words. */
export const REASON_CAP = 300;
/** Longest worker text on a board or detail line (next item, question, title). */
export const LINE_CAP = 200;
/** Longest line of `logs`, after escaping: a JSON event line stays readable, a runaway one does not flood. */
export const LOG_LINE_CAP = 4000;

const SHORT: Record<string, string> = { "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** JSON's escape for one character (a code point), so the quoted form parses back to the text. */
function jsonEscape(ch: string): string {
  const short = SHORT[ch];
  if (short) return short;
  let out = "";
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}

/** A terminal's visible form of one character: caret notation for C0 and DEL, `<U+XXXX>` for the rest. */
function caretEscape(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code < 0x20) return `^${String.fromCharCode(code + 64)}`;
  if (code === 0x7f) return "^?";
  return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
}

/**
 * Escapes `text` character by character with `esc` for unsafe ones (and
 * `extra` ones, such as quotes), stopping before the escaped form passes
 * `max`; returns it and how many characters were left out.
 */
function escapeCapped(
  text: string,
  max: number,
  esc: (ch: string) => string,
  extra?: (ch: string) => string | undefined,
): { body: string; left: number } {
  let body = "";
  let i = 0;
  const chars = Array.from(text);
  for (; i < chars.length; i++) {
    const ch = chars[i]!;
    const piece = extra?.(ch) ?? (UNSAFE.test(ch) ? esc(ch) : ch);
    if (body.length + piece.length > max) break;
    body += piece;
  }
  return { body, left: chars.length - i };
}

/** `n` with thousands separators (12,345): `toLocaleString` would cost the hook ~20 ms of ICU start-up. */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** What a cut leaves behind: how much, and (`more`) where the whole text is. */
function cutNote(left: number, more?: string): string {
  return left > 0 ? `… (+${thousands(left)} more characters${more ? `; ${more}` : ""})` : "";
}

/**
 * Worker text as one line, for a line that begins with our own words: every
 * unsafe character escaped as JSON would (`\n`, `\u001b`), at most `max`
 * characters of it, then `… (+N more characters)` when cut.
 */
export function inline(text: string, max = LINE_CAP): string {
  const { body, left } = escapeCapped(text, max, jsonEscape);
  return body + cutNote(left);
}

/**
 * Worker text as a double-quoted JSON string on one line (uncut, it parses
 * back to the text exactly), at most `max` characters inside the quotes,
 * then `… (+N more characters; MORE)` outside them when cut.
 */
export function quote(text: string, max = QUESTION_CAP, more?: string): string {
  const quoteOrSlash = (ch: string) => (ch === '"' || ch === "\\" ? `\\${ch}` : undefined);
  const { body, left } = escapeCapped(text, max, jsonEscape, quoteOrSlash);
  return `"${body}"${cutNote(left, more)}`;
}

/**
 * One line of worker text for a human's terminal: tabs kept, every other
 * control visible (`^[` for ESC, `^M` for a carriage return that would
 * overwrite the line, `<U+202E>` for a bidi override), capped at `max`.
 */
export function visibleLine(line: string, max = LOG_LINE_CAP): string {
  const { body, left } = escapeCapped(line, max, caretEscape, (ch) => (ch === "\t" ? ch : undefined));
  return body + cutNote(left);
}

/**
 * Worker text of many lines for a human's terminal, each line under the
 * gutter and made visible ({@linkcode visibleLine}); a CR that ends a CRLF
 * line is dropped, a lone one shown.
 */
export function guttered(text: string, max = LOG_LINE_CAP): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return gutterLines(lines, max);
}

/** {@linkcode guttered} for text already split into lines. */
export function gutterLines(lines: string[], max = LOG_LINE_CAP): string[] {
  return lines.map((l) => GUTTER + visibleLine(l.endsWith("\r") ? l.slice(0, -1) : l, max));
}

/**
 * JSON for a terminal: as `JSON.stringify`, with the characters it leaves
 * raw (DEL, C1 controls, separators, format characters) escaped too. The
 * value parsed back is the same.
 */
export function safeJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(UNSAFE_IN_JSON, jsonEscape);
}
