/**
 * A recorded-shape `codex debug models` answer, for the tests of its parser
 * and of discovery.
 * @module
 */

/** Four models, one hidden, out of priority order. */
export const CODEX_MODELS_JSON: string = JSON.stringify({
  models: [
    { slug: "gpt-6-astra", visibility: "list", priority: 2 },
    { slug: "gpt-6.1-sol", visibility: "list", priority: 1 },
    { slug: "gpt-daybreak-blue-latest", visibility: "hide", priority: 11 },
    { slug: "gpt-5.5", visibility: "list", priority: 13 },
  ],
});
