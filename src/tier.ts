/**
 * Permission tiers, kept apart from the zod schema so the hot path
 * (`dispatch start`) can validate `--tier` without loading zod.
 * @module
 */

/** Permission tiers a task can run with. */
export const TIERS = ["read", "edit", "full"] as const;
/** A permission tier. */
export type Tier = typeof TIERS[number];

/** True when `value` names a tier. */
export function isTier(value: string): value is Tier {
  return (TIERS as readonly string[]).includes(value);
}
