import assert from "node:assert/strict";
import { arr, num, obj, oneLine, parseLog, str, sum } from "./jsonl.ts";

Deno.test("parseLog: JSON objects in order, other lines as text", () => {
  const log = [
    '{"type":"init","session_id":"s1"}',
    "Warning: something on stderr",
    "",
    '  {"type":"result","n":2}  ',
    '{"type":"cut short',
    "{not json at all}",
    "[1, 2]",
  ].join("\n");
  const parsed = parseLog(log);
  assert.deepEqual(parsed.events, [{ type: "init", session_id: "s1" }, { type: "result", n: 2 }]);
  assert.deepEqual(parsed.text, ["Warning: something on stderr", '{"type":"cut short', "{not json at all}"]);
});

Deno.test("parseLog: a JSON array line contributes its objects (qwen -o json)", () => {
  const parsed = parseLog('[{"type":"system"},3,{"type":"result"}]\n');
  assert.deepEqual(parsed.events, [{ type: "system" }, { type: "result" }]);
  assert.deepEqual(parsed.text, []);
});

Deno.test("accessors: wrong types give empty values, never throw", () => {
  assert.deepEqual(obj(null), {});
  assert.deepEqual(obj([1]), {});
  assert.deepEqual(obj({ a: 1 }), { a: 1 });
  assert.equal(str(3), undefined);
  assert.equal(str("x"), "x");
  assert.equal(num("3"), undefined);
  assert.equal(num(Number.NaN), undefined);
  assert.equal(num(2.5), 2.5);
  assert.deepEqual(arr("x"), []);
  assert.deepEqual(arr([1]), [1]);
});

Deno.test("sum: undefined only when no figure was given", () => {
  assert.equal(sum(), undefined);
  assert.equal(sum(undefined, undefined), undefined);
  assert.equal(sum(undefined, 0), 0);
  assert.equal(sum(1, undefined, 2), 3);
});

Deno.test("oneLine: collapses whitespace and truncates", () => {
  assert.equal(oneLine("a\n  b\tc"), "a b c");
  assert.equal(oneLine("x".repeat(10), 5), "xxxx…");
});
