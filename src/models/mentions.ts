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

/** Finds the mentions in `text`, in order. */
export function scanMentions(text: string, vocab: Vocabulary): Mention[] {
  const lookup = new Map<string, { kind: MentionKind; name: string }>();
  // later sets win: a model or alias key beats a known name or a backend of the same spelling
  for (const n of vocab.known) lookup.set(n.toLowerCase(), { kind: "unknown", name: n });
  for (const n of vocab.backends) lookup.set(n.toLowerCase(), { kind: "backend", name: n });
  for (const n of vocab.models) lookup.set(n.toLowerCase(), { kind: "model", name: n });
  for (const n of vocab.aliases) lookup.set(n.toLowerCase(), { kind: "alias", name: n });

  const backendWords = new Set(vocab.backends.map((b) => b.toLowerCase()));
  const tokens = tokenize(text);
  const gapBefore = (i: number) => text.slice(i > 0 ? tokens[i - 1]!.end : 0, tokens[i]!.index);
  const prev = (i: number, commas = true): Token | undefined =>
    i > 0 && !breaksClause(gapBefore(i), commas) ? tokens[i - 1] : undefined;
  const prevAdjacent = (i: number): Token | undefined =>
    i > 0 && adjacentGap(gapBefore(i)) ? tokens[i - 1] : undefined;
  const nextAdjacent = (i: number): Token | undefined =>
    i + 1 < tokens.length && adjacentGap(gapBefore(i + 1)) ? tokens[i + 1] : undefined;
  const clauseStart = (i: number): boolean => i === 0 || breaksClause(gapBefore(i), true);

  /** The word that negates token i ("not", "instead", "from"...), if one does. */
  const negator = (i: number): string | undefined => {
    let j = i;
    for (let steps = 0; steps < 4; steps++) {
      const p = prev(j);
      if (!p) return undefined;
      if (NEGATORS.has(p.lower)) return p.lower === "don" ? "don't" : p.lower;
      if (!NEGATION_FILLER.has(p.lower)) return undefined;
      j--;
    }
    return undefined;
  };

  const mentions: Mention[] = [];
  let sentenceHasMention = -1; // index of the sentence start of the last counted mention
  let sentenceStart = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (i > 0 && /[.!?;\n]/.test(gapBefore(i))) sentenceStart = i;
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

    const before = prevAdjacent(i);
    const after = nextAdjacent(i);
    let why: string | undefined;
    if (!isPlain(t.text) && hit.kind !== "backend") {
      if (after && TOPIC_FOLLOWERS.has(after.lower)) continue;
      if (charAfter === "'" && /^'s\b/.test(text.slice(t.end))) continue; // "gpt-4's tokenizer"
      why = isModelShaped(t.text) ? "model-shaped" : "a configured name";
    } else {
      // a plain word: it must be used as a name
      if (after && PLAIN_NOUN_FOLLOWERS.has(after.lower)) continue;
      if (before && CREATION_VERBS.has(before.lower)) continue;
      if (charAfter === "'" && /^'s\b/.test(text.slice(t.end)) && hit.kind !== "backend") continue;
      if (charBefore === "@") why = "addressed with '@'";
      else if (after && NOUNS_AFTER.has(after.lower)) why = `before '${after.lower}'`;
      else if (before && DETERMINERS.has(before.lower)) continue;
      else if (before && TRIGGERS.has(before.lower) && !(hit.kind === "backend" && before.lower === "with")) {
        why = `after '${before.lower}'`;
      } else if (before && hit.kind !== "backend" && backendWords.has(before.lower)) {
        // "use claude sonnet", "gemini gemini-2.5-pro": the CLI's name, then the model's
        why = `after '${before.lower}'`;
      } else if (before && WANT_VERBS.has(before.lower) && after?.lower === "to") {
        // "I'd like sonnet to handle this", "we need opus to review"
        why = `after '${before.lower} ... to'`;
      } else if (before?.lower === "to") {
        for (let j = i - 2; j >= Math.max(0, i - 8); j--) {
          if (breaksClause(gapBefore(j + 1), false)) break;
          if (HANDOVER.has(tokens[j]!.lower)) {
            why = `after '${tokens[j]!.lower} ... to'`;
            break;
          }
        }
      } else if (before?.lower === "on") {
        // "run it on sonnet", "do this on haiku"
        for (let j = i - 2; j >= Math.max(0, i - 5); j--) {
          if (breaksClause(gapBefore(j + 1), false)) break;
          if (RUN_VERBS.has(tokens[j]!.lower)) {
            why = `after '${tokens[j]!.lower} ... on'`;
            break;
          }
        }
      } else if (
        after?.lower === "to" && (clauseStart(i) || (before && CONJUNCTIONS.has(before.lower))) &&
        i + 2 < tokens.length
      ) {
        why = "before 'to <task>'";
      }
      if (
        !why && sentenceHasMention === sentenceStart &&
        ((before && CONJUNCTIONS.has(before.lower)) || (i > 0 && /^\s*,\s*$/.test(gapBefore(i))))
      ) {
        why = "listed with an earlier name";
      }
      // "not opus", "instead of sonnet", "switch from opus": named, to be excluded
      const neg = negator(i);
      if (!why && neg) why = `after '${neg}'`;
      if (!why) continue;
    }
    mentions.push({
      text: t.text,
      index: t.index,
      kind: hit.kind,
      name: hit.name,
      negated: negator(i) !== undefined,
      why,
    });
    sentenceHasMention = sentenceStart;
  }
  return mentions;
}
