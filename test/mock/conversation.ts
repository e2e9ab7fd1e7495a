/**
 * The one accumulator every protocol adapter normalizes into: each adapter
 * only walks its own wire format and reports what it finds (system text, a
 * prompt, an assistant text, a tool result, an offered tool).
 * @module
 */
import type { ApiKind, NormalizedRequest } from "./types.ts";

/** One part of a non-assistant message: a text or the output of an earlier tool call. */
export type MessagePart = { text: string } | { result: string };

/** Collects a conversation in order and turns it into a {@link NormalizedRequest}. */
export class Conversation {
  readonly #texts: string[] = [];
  readonly #assistantTexts: string[] = [];
  readonly #toolResults: string[] = [];
  #turnToolResults: string[] = [];
  #lastUserText = "";
  readonly #toolNames: string[] = [];
  readonly #toolSchemas: Record<string, unknown> = {};

  /** A system, harness or user text; counted as conversation text, not as a prompt. */
  text(text: string): void {
    this.#texts.push(text);
  }

  /** A system text, kept only when not empty. */
  system(text: string): void {
    if (text) this.#texts.push(text);
  }

  /** An assistant text already in the conversation, kept only when not empty. */
  assistant(text: string | undefined): void {
    if (text) this.#assistantTexts.push(text);
  }

  /** The output of an earlier tool call: it belongs to the current turn. */
  toolResult(output: string): void {
    this.#toolResults.push(output);
    this.#turnToolResults.push(output);
    this.#texts.push(output);
  }

  /** A new prompt (already counted with {@link text}): the tool steps that follow belong to it. */
  prompt(text: string): void {
    this.#lastUserText = text;
    this.#turnToolResults = [];
  }

  /**
   * A non-assistant message as its texts and tool results in order. When it
   * carries text and no result and `mayPrompt`, its last text is a new prompt.
   */
  message(parts: MessagePart[], mayPrompt: boolean): void {
    let last: string | undefined;
    let hasResult = false;
    for (const part of parts) {
      if ("result" in part) {
        hasResult = true;
        this.toolResult(part.result);
      } else {
        last = part.text;
        this.text(part.text);
      }
    }
    if (mayPrompt && !hasResult && last !== undefined) this.prompt(last);
  }

  /** A tool the request offers; nameless tools are skipped. */
  tool(name: string | undefined, schema: unknown): void {
    if (!name) return;
    this.#toolNames.push(name);
    this.#toolSchemas[name] = schema;
  }

  /** The normalized request. */
  request(api: ApiKind, model: string, stream: boolean, raw: unknown): NormalizedRequest {
    return {
      api,
      model,
      toolNames: this.#toolNames,
      toolSchemas: this.#toolSchemas,
      texts: this.#texts,
      assistantTexts: this.#assistantTexts,
      toolResults: this.#toolResults,
      turnToolResults: this.#turnToolResults,
      lastUserText: this.#lastUserText,
      stream,
      raw,
    };
  }
}
