/**
 * Reading a worker's log: the JSON events a CLI printed (one per line),
 * mixed with whatever else reached stdout and stderr. Every adapter's
 * `report` starts here, so malformed or partial lines never throw.
 * @module
 */

/** One parsed JSON object from the log. */
export type Event = Record<string, unknown>;

/** What a log holds: its JSON objects in order, and the lines that were not JSON (mostly stderr). */
export interface ParsedLog {
  events: Event[];
  /** Non-empty lines that did not parse as JSON objects, trimmed. */
  text: string[];
}

/**
 * Splits a log into JSON events and plain lines. A line that is a JSON
 * array (qwen `-o json`) contributes its object elements.
 */
export function parseLog(log: string): ParsedLog {
  const events: Event[] = [];
  const text: string[] = [];
  for (const raw of log.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("{") || line.startsWith("[")) {
      try {
        const value: unknown = JSON.parse(line);
        if (Array.isArray(value)) {
          for (const v of value) if (isObject(v)) events.push(v);
          continue;
        }
        if (isObject(value)) {
          events.push(value);
          continue;
        }
      } catch {
        // a plain line that starts with a brace, or a line cut short by a kill
      }
    }
    text.push(line);
  }
  return { events, text };
}

function isObject(v: unknown): v is Event {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `v` as an object, or an empty one. */
export function obj(v: unknown): Event {
  return isObject(v) ? v : {};
}

/** `v` if it is a string. */
export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** `v` if it is a finite number. */
export function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** `v` as an array, or an empty one. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Sums numbers, undefined when none was given (so "no figure" stays distinct from 0). */
export function sum(...values: (number | undefined)[]): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length === 0 ? undefined : present.reduce((a, b) => a + b, 0);
}

/** Shortens `text` to one line of at most `max` characters, for reasons shown in status. */
export function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
