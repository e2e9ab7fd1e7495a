/**
 * The checklist a worker ticks: `- [ ]` todo, `- [x]` done, `- [?]` blocked
 * on a question, `- [!]` error. Pure parsing and rendering, no I/O.
 * @module
 */
import { InputError } from "../errors.ts";

/** The mark inside the brackets. */
export type ItemMark = "todo" | "done" | "question" | "error";

/** One checklist line. */
export interface ChecklistItem {
  mark: ItemMark;
  text: string;
  /** Zero-based line number in the plan. */
  line: number;
}

/** Counts a status board shows. */
export interface Progress {
  done: number;
  total: number;
  errors: string[];
  /** The first item not done yet, if any. */
  next?: string;
}

const ITEM = /^\s*(?:[-*+]|\d+[.)])\s+\[( |x|X|\?|!)\]\s?(.*)$/;

function markOf(ch: string): ItemMark {
  switch (ch) {
    case "x":
    case "X":
      return "done";
    case "?":
      return "question";
    case "!":
      return "error";
    default:
      return "todo";
  }
}

/** Parses every checklist item of a plan (LF, CRLF or CR line ends: an editor's save is not a lost plan). */
export function parseChecklist(plan: string): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  plan.split(/\r\n|\r|\n/).forEach((line, index) => {
    const m = ITEM.exec(line);
    if (m) items.push({ mark: markOf(m[1]!), text: m[2]!.trim(), line: index });
  });
  return items;
}

/** Summarises a plan's checklist. */
export function progressOf(plan: string): Progress {
  const items = parseChecklist(plan);
  return {
    done: items.filter((i) => i.mark === "done").length,
    total: items.length,
    errors: items.filter((i) => i.mark === "error").map((i) => i.text),
    next: items.find((i) => i.mark !== "done")?.text,
  };
}

/** Largest plan accepted: a checklist, not a design document. */
export const MAX_PLAN_BYTES = 64 * 1024;

/**
 * Checks a plan a host wrote before it is handed to a worker: not empty, not
 * huge, valid UTF-8 text, with at least one checklist item.
 */
export function validatePlan(plan: string): string {
  const bytes = new TextEncoder().encode(plan).length;
  if (plan.trim() === "") {
    throw new InputError("Empty plan: give a checklist with at least one '- [ ] step' line");
  }
  if (bytes > MAX_PLAN_BYTES) {
    throw new InputError(
      `Plan too large: ${bytes} bytes (limit ${MAX_PLAN_BYTES}); keep the checklist short and point to files for detail`,
    );
  }
  if (plan.includes("\u0000")) throw new InputError("Plan contains a NUL byte: give plain text");
  if (parseChecklist(plan).length === 0) {
    throw new InputError("Plan has no checklist items: add at least one '- [ ] step' line");
  }
  return plan.endsWith("\n") ? plan : plan + "\n";
}

/** A text progress bar, `width` cells wide. */
export function progressBar(done: number, total: number, width = 10): string {
  if (total <= 0) return "·".repeat(width);
  const filled = Math.round((done / total) * width);
  return "█".repeat(filled) + "░".repeat(width - filled);
}
