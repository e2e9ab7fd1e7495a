/**
 * Human durations (`90s`, `30m`, `2h`, `1h30m`, `500ms`) to milliseconds.
 * @module
 */
import { InputError } from "./errors.ts";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** What a duration may look like, for errors. */
export const DURATION_FORMS = "e.g. 90s, 30m, 2h or 1h30m";

/** The longest duration accepted: about 285,000 years, beyond which milliseconds lose precision. */
const MAX_MS = Number.MAX_SAFE_INTEGER;

/** Milliseconds in `text`, or undefined when it is not a duration (zero included). */
function toMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return checked(Math.round(Number(trimmed) * 1000));
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const joined = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || joined !== trimmed) return undefined;
  return checked(Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0)));
}

function checked(ms: number): number | undefined {
  return Number.isFinite(ms) && ms <= MAX_MS ? ms : undefined;
}

/** Parses a duration (zero allowed); `what` names the flag or field in the error. */
export function parseDuration(text: string, what = "duration"): number {
  const ms = toMs(text);
  if (ms === undefined) throw new InputError(`Invalid ${what}: '${text}' (use ${DURATION_FORMS})`);
  return ms;
}

/**
 * Parses a duration that must be more than zero (a timeout, a stall window:
 * zero or empty would silently mean "none"); `what` names the flag or field.
 */
export function parsePositiveDuration(text: string, what = "duration"): number {
  const ms = toMs(text);
  if (ms === undefined || ms < 1) {
    throw new InputError(
      `Invalid ${what}: '${text}' (use a duration more than zero, ${DURATION_FORMS}; leave the option out for the default)`,
    );
  }
  return ms;
}

/**
 * Milliseconds of a config duration (a string as above, or a number of
 * seconds), or undefined when it is not one or not more than zero.
 */
export function configDurationMs(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) ? positive(checked(Math.round(value * 1000))) : undefined;
  }
  return typeof value === "string" ? positive(toMs(value)) : undefined;
}

function positive(ms: number | undefined): number | undefined {
  return ms !== undefined && ms >= 1 ? ms : undefined;
}

/** Formats milliseconds compactly: `45s`, `12m`, `3h05m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m % 60).padStart(2, "0")}m`;
}
