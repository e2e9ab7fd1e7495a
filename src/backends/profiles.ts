/**
 * Every worker CLI's profile, loaded, for the code that looks at all of them
 * (discovery, the doctor, model families, the tier table). Kept apart from
 * registry.ts, which the hot `dispatch start` path imports and which loads
 * only the one profile it needs.
 * @module
 */
import type { CliProfile } from "./profile.ts";
import { CLI_NAMES, type CliName, loadProfile } from "./registry.ts";

/** Every CLI's profile, in the registry's order. */
export const CLI_PROFILES: readonly CliProfile[] = await Promise.all(CLI_NAMES.map(loadProfile));

/** The profile of a CLI with an adapter. */
export function cliProfile(name: CliName): CliProfile {
  return CLI_PROFILES[CLI_NAMES.indexOf(name)]!;
}

/** The profile of adapter type `type`, when it is a worker CLI's. */
export function profileOf(type: string): CliProfile | undefined {
  return CLI_PROFILES.find((p) => p.name === type);
}
