/**
 * Finding the models a request names. A name is only a mention when the
 * sentence uses it as one: "have opus review this", "use gpt-5.5",
 * "dispatch it to haiku", "the sonnet model" name a model; "write a haiku
 * about cats", "Chopin's opus 28", "a sonnet for my wife" do not. Names that
 * can only be models (`gpt-5.5`, `claude-opus-4`, `security-reviewer`) count
 * wherever they stand; plain words (`opus`, `haiku`, `quick`, `codex`) count
 * only after a word that selects a worker (use, with, via, have, ask, let...),
 * before "model/agent/worker", as "@name", as "name to <verb>" at the start of
 * a clause, or in a list after one that counted ("use opus or sonnet").
 * Negated ones ("not opus", "instead of sonnet", "switch from opus") are
 * reported but never chosen. Pure: no I/O.
 * @module
 */
import { isModelShaped } from "./families.ts";
import {
  CONJUNCTIONS,
  CREATION_VERBS,
  DETERMINERS,
  FILE_EXTENSION,
  HANDOVER,
  NEGATION_FILLER,
  NEGATORS,
  NOUNS_AFTER,
  PLAIN_NOUN_FOLLOWERS,
  RUN_VERBS,
  TOPIC_FOLLOWERS,
  TRIGGERS,
  WANT_VERBS,
} from "./mention_words.ts";

/** What a mention refers to. */
export type MentionKind = "model" | "alias" | "backend" | "unknown";

/** One place in the request that names a model, alias or worker CLI. */
export interface Mention {
  /** The text as written. */
  text: string;
  /** Offset in the request. */
  index: number;
  kind: MentionKind;
  /** The config key for a model or alias, the backend name, or the token for an unknown one. */
  name: string;
  /** Named only to be excluded ("not opus", "instead of sonnet", "from opus to ..."). */
  negated: boolean;
  /** Why it counts: `model-shaped`, `after 'use'`, `before 'model'`... */
  why: string;
}

/** The names the scanner recognises. */
export interface Vocabulary {
  /** Model keys from config. */
  models: string[];
  /** Alias keys from config. */
  aliases: string[];
  /** Backend names a request may name instead of a model ("let codex do it"). */
  backends: string[];
  /** Model names known outside the config (discovery's catalog, Claude's aliases). */
  known: string[];
}

interface Token {
  text: string;
  lower: string;
  index: number;
  end: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/[A-Za-z0-9](?:[\w.\/:+-]*[A-Za-z0-9])?/g)) {
    tokens.push({ text: m[0], lower: m[0].toLowerCase(), index: m.index!, end: m.index! + m[0].length });
  }
  return tokens;
}

/** True when nothing but spaces, quotes or markup stands between two tokens. */
function adjacentGap(gap: string): boolean {
  return /^[\s"'`*_()\[\]@]*$/.test(gap) && !gap.includes("\n\n");
}

/** A clause ends at . ! ? ; : or a line break; `commas` makes a comma end it too. */
function breaksClause(gap: string, commas: boolean): boolean {
  return commas ? /[.!?;:\n,]/.test(gap) : /[.!?;:\n]/.test(gap);
}

function isPlain(name: string): boolean {
  return /^[a-z]+$/i.test(name);
}

/** A request's tokens and what stands around each. */
interface View {
  text: string;
  tokens: Token[];
  /** The text between token i-1 and token i. */
  gapBefore(i: number): string;
  /** Token i-1 when no clause break (nor comma, with `commas`) stands between. */
  prev(i: number, commas?: boolean): Token | undefined;
  prevAdjacent(i: number): Token | undefined;
  nextAdjacent(i: number): Token | undefined;
  clauseStart(i: number): boolean;
  /** The word that negates token i ("not", "instead", "from"...), if one does. */
  negator(i: number): string | undefined;
}

function viewOf(text: string): View {
  const tokens = tokenize(text);
  const gapBefore = (i: number) => text.slice(i > 0 ? tokens[i - 1]!.end : 0, tokens[i]!.index);
  const prev = (i: number, commas = true): Token | undefined =>
    i > 0 && !breaksClause(gapBefore(i), commas) ? tokens[i - 1] : undefined;
  return {
    text,
    tokens,
    gapBefore,
    prev,
    prevAdjacent: (i) => i > 0 && adjacentGap(gapBefore(i)) ? tokens[i - 1] : undefined,
    nextAdjacent: (i) => i + 1 < tokens.length && adjacentGap(gapBefore(i + 1)) ? tokens[i + 1] : undefined,
    clauseStart: (i) => i === 0 || breaksClause(gapBefore(i), true),
    negator: (i) => {
      let j = i;
      for (let steps = 0; steps < 4; steps++) {
        const p = prev(j);
        if (!p) return undefined;
        if (NEGATORS.has(p.lower)) return p.lower === "don" ? "don't" : p.lower;
        if (!NEGATION_FILLER.has(p.lower)) return undefined;
        j--;
      }
      return undefined;
    },
  };
}

/** The word before token i, within `reach` tokens and the clause, that is in `words`. */
function findBack(v: View, i: number, reach: number, words: Set<string>): string | undefined {
  for (let j = i - 2; j >= Math.max(0, i - reach); j--) {
    if (breaksClause(v.gapBefore(j + 1), false)) break;
    if (words.has(v.tokens[j]!.lower)) return v.tokens[j]!.lower;
  }
  return undefined;
}

/**
 * Why the plain word at token i (`opus`, `codex`) is used as a name, or
 * undefined when it is not; `listing` when an earlier name in the sentence counted.
 */
function plainWordWhy(
  v: View,
  i: number,
  kind: MentionKind,
  backendWords: Set<string>,
  listing: boolean,
): string | undefined {
  const t = v.tokens[i]!;
  const before = v.prevAdjacent(i);
  const after = v.nextAdjacent(i);
  if (after && PLAIN_NOUN_FOLLOWERS.has(after.lower)) return undefined;
  if (before && CREATION_VERBS.has(before.lower)) return undefined;
  if (v.text[t.end] === "'" && /^'s\b/.test(v.text.slice(t.end)) && kind !== "backend") return undefined;
  let why: string | undefined;
  if (v.text[t.index - 1] === "@") why = "addressed with '@'";
  else if (after && NOUNS_AFTER.has(after.lower)) why = `before '${after.lower}'`;
  else if (before && DETERMINERS.has(before.lower)) return undefined;
  else if (before && TRIGGERS.has(before.lower) && !(kind === "backend" && before.lower === "with")) {
    why = `after '${before.lower}'`;
  } else if (before && kind !== "backend" && backendWords.has(before.lower)) {
    // "use claude sonnet", "gemini gemini-2.5-pro": the CLI's name, then the model's
    why = `after '${before.lower}'`;
  } else if (before && WANT_VERBS.has(before.lower) && after?.lower === "to") {
    // "I'd like sonnet to handle this", "we need opus to review"
    why = `after '${before.lower} ... to'`;
  } else if (before?.lower === "to") {
    const verb = findBack(v, i, 8, HANDOVER);
    if (verb) why = `after '${verb} ... to'`;
  } else if (before?.lower === "on") {
    // "run it on sonnet", "do this on haiku"
    const verb = findBack(v, i, 5, RUN_VERBS);
    if (verb) why = `after '${verb} ... on'`;
  } else if (
    after?.lower === "to" && (v.clauseStart(i) || (before && CONJUNCTIONS.has(before.lower))) &&
    i + 2 < v.tokens.length
  ) {
    why = "before 'to <task>'";
  }
  if (
    !why && listing &&
    ((before && CONJUNCTIONS.has(before.lower)) || (i > 0 && /^\s*,\s*$/.test(v.gapBefore(i))))
  ) {
    why = "listed with an earlier name";
  }
  // "not opus", "instead of sonnet", "switch from opus": named, to be excluded
  const neg = v.negator(i);
  return why ?? (neg ? `after '${neg}'` : undefined);
}

/** Finds the mentions in `text`, in order. */
export function scanMentions(text: string, vocab: Vocabulary): Mention[] {
  const lookup = new Map<string, { kind: MentionKind; name: string }>();
  // later sets win: a model or alias key beats a known name or a backend of the same spelling
  for (const n of vocab.known) lookup.set(n.toLowerCase(), { kind: "unknown", name: n });
  for (const n of vocab.backends) lookup.set(n.toLowerCase(), { kind: "backend", name: n });
  for (const n of vocab.models) lookup.set(n.toLowerCase(), { kind: "model", name: n });
  for (const n of vocab.aliases) lookup.set(n.toLowerCase(), { kind: "alias", name: n });

  const backendWords = new Set(vocab.backends.map((b) => b.toLowerCase()));
  const v = viewOf(text);
  const mentions: Mention[] = [];
  let sentenceHasMention = -1; // index of the sentence start of the last counted mention
  let sentenceStart = 0;
  for (let i = 0; i < v.tokens.length; i++) {
    const t = v.tokens[i]!;
    if (i > 0 && /[.!?;\n]/.test(v.gapBefore(i))) sentenceStart = i;
    const charBefore = text[t.index - 1] ?? "";
    const charAfter = text[t.end] ?? "";
    if ("/\\~$".includes(charBefore) && charBefore !== "") continue; // a path: ./gpt-4, $HOME/opus
    if (charAfter === "/" || charAfter === "(" || (charBefore === "." && t.index > 0)) continue;
    if (FILE_EXTENSION.test(t.text) || (t.text.match(/\//g)?.length ?? 0) > 1 && !lookup.has(t.lower)) {
      continue;
    }

    let hit = lookup.get(t.lower);
    if (!hit && isModelShaped(t.text)) hit = { kind: "unknown", name: t.text };
    if (!hit) continue;

    let why: string | undefined;
    if (!isPlain(t.text) && hit.kind !== "backend") {
      const after = v.nextAdjacent(i);
      if (after && TOPIC_FOLLOWERS.has(after.lower)) continue;
      if (charAfter === "'" && /^'s\b/.test(text.slice(t.end))) continue; // "gpt-4's tokenizer"
      why = isModelShaped(t.text) ? "model-shaped" : "a configured name";
    } else {
      // a plain word: it must be used as a name
      why = plainWordWhy(v, i, hit.kind, backendWords, sentenceHasMention === sentenceStart);
      if (!why) continue;
    }
    mentions.push({
      text: t.text,
      index: t.index,
      kind: hit.kind,
      name: hit.name,
      negated: v.negator(i) !== undefined,
      why,
    });
    sentenceHasMention = sentenceStart;
  }
  return mentions;
}
