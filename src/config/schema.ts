/**
 * The shape of `config.yaml`, validated with zod. The three sections of the
 * earlier dispatch (`backends.<name>.command`, `models.<name>.backend`,
 * `aliases.<name>.{model,prompt}`) load unchanged; everything else is ours
 * and optional.
 * @module
 */
import { z } from "zod";
import { TIERS } from "../tier.ts";

export { type Tier, TIERS } from "../tier.ts";

const duration = z.union([z.string(), z.number()]);

const backend = z.object({
  /** Which adapter runs it; without one, `command` makes it a generic shell-command backend. */
  type: z.string().optional(),
  /** Earlier dispatch: one shell string; the prompt is passed as one extra positional argument. */
  command: z.string().optional(),
  /** Extra flags for the CLI. */
  args: z.array(z.string()).optional(),
  /** Added to the worker's environment. */
  env: z.record(z.string(), z.string()).optional(),
  /** Flag used to pass the model to a command backend (default `--model`); empty string to omit. */
  model_flag: z.string().optional(),
  /** The executable for an adapter backend, when not the default name on PATH. */
  bin: z.string().optional(),
  max_concurrent: z.number().int().positive().optional(),
  /** For the built-in scripted worker: the scenario file it follows. */
  scenario: z.string().optional(),
}).passthrough();

const model = z.object({
  backend: z.string(),
  /** The id the CLI gets, when it differs from the key. */
  model: z.string().optional(),
  args: z.array(z.string()).optional(),
}).passthrough();

const alias = z.object({
  model: z.string(),
  prompt: z.string().optional(),
  tier: z.enum(TIERS).optional(),
}).passthrough();

/** A section that may be absent or left empty (`models:` with nothing under it): an empty mapping. */
function section<T extends z.ZodType>(item: T) {
  return z.record(z.string(), item).nullish().transform((v) => v ?? {});
}

/** The whole file. */
export const configSchema = z.object({
  default: z.string().nullish().transform((v) => v ?? undefined),
  backends: section(backend),
  models: section(model),
  aliases: section(alias),
  limits: z.object({
    max_concurrent: z.number().int().positive().optional(),
    timeout: duration.optional(),
    stall: duration.optional(),
  }).passthrough().optional(),
}).passthrough();

/** A validated config. */
export type Config = z.infer<typeof configSchema>;
/** One backend entry. */
export type BackendConfig = z.infer<typeof backend>;
/** One model entry. */
export type ModelConfig = z.infer<typeof model>;
/** One alias entry. */
export type AliasConfig = z.infer<typeof alias>;
