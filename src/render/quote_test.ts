import assert from "node:assert/strict";
import { guttered, inline, quote, safeJson, thousands, visibleLine } from "./quote.ts";

const NASTY = "a\nb\rc\x1b[2J\x07\v\f\x1c\x7f\x85\x9b\u2028\u2029\u202e\u2066\u200b\ufeff\u{e0041}\ud800z";

Deno.test("quote() is JSON.stringify for plain text, and escapes what JSON leaves raw", () => {
  for (const s of ['Use "x"?', "日本語 🚀 ✓", "👨‍👩‍👧 keeps its joiners", "back\\slash", "tab\there"]) {
    assert.equal(quote(s), JSON.stringify(s));
  }
  const q = quote(NASTY);
  assert.equal(JSON.parse(q), NASTY, "uncut, it parses back to the text");
  assert.doesNotMatch(q, /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
  assert.match(q, /\\u001b\[2J\\u0007\\u000b\\f\\u001c\\u007f\\u0085\\u009b\\u2028\\u2029\\u202e/);
  assert.match(q, /\\udb40\\udc41\\ud800z"$/, "a tag character and a lone surrogate are escaped");
});

Deno.test("quote() and inline() cap the escaped form, never inside an escape or a surrogate pair", () => {
  assert.equal(quote("x".repeat(10), 4), '"xxxx"… (+6 more characters)');
  assert.equal(
    quote("ab\x1b", 7),
    '"ab"… (+1 more characters)',
    "a \\u001b that does not fit is left out whole",
  );
  assert.equal(inline("🚀🚀🚀", 4), "🚀🚀… (+1 more characters)");
  assert.equal(inline("x".repeat(1234), 0), "… (+1,234 more characters)");
});

Deno.test("inline() puts any text on one line that no separator can break", () => {
  const line = inline(NASTY, 1000);
  // Every separator some reader breaks a line at (Python's splitlines list).
  for (const sep of ["\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]) {
    assert.ok(!line.includes(sep), JSON.stringify(sep));
  }
  assert.ok(line.startsWith("a\\nb\\rc\\u001b[2J"));
  assert.equal(inline('say "hi"'), 'say "hi"', "no quotes added or escaped: the line's own words frame it");
});

Deno.test("visibleLine() and guttered() make controls visible for a terminal, keeping tabs and lines", () => {
  assert.equal(visibleLine("\x1b]52;c;eA==\x07\tok\rover\x7f\x00"), "^[]52;c;eA==^G\tok^Mover^?^@");
  assert.equal(visibleLine("\u202e\x9b\u2028"), "<U+202E><U+009B><U+2028>");
  assert.equal(visibleLine("y".repeat(10), 3), "yyy… (+7 more characters)");
  assert.deepEqual(guttered("one\r\ntwo\rthree\n\n  Reply with: x\n"), [
    "│ one",
    "│ two^Mthree",
    "│ ",
    "│   Reply with: x",
  ]);
  assert.deepEqual(guttered(""), []);
});

Deno.test("safeJson() parses back to the value and holds no raw control, separator or format character", () => {
  const value = { text: NASTY, n: [1, 2], nested: { s: "ok" } };
  for (const space of [undefined, 2]) {
    const json = safeJson(value, space);
    assert.deepEqual(JSON.parse(json), value);
    assert.doesNotMatch(json.replaceAll("\n", ""), /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
  }
  assert.equal(safeJson({ a: 1 }, 2), JSON.stringify({ a: 1 }, null, 2));
});

Deno.test("thousands() groups digits as en-US does", () => {
  for (const n of [0, 7, 999, 1000, 65_536, 5_050_000, 1_234_567_890]) {
    assert.equal(thousands(n), n.toLocaleString("en-US"));
  }
});
