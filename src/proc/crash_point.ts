/**
 * Named steps where the fault suite kills a dispatch process with SIGKILL,
 * to prove every step can be interrupted without losing or inventing facts.
 * Only a process whose own environment names the step dies, so nothing a
 * worker sets reaches the trusted side (the supervisor's environment is the
 * host's).
 * @module
 */

/** The variable that names the step to die at. */
export const CRASH_AT = "DISPATCH_CRASH_AT";

/** Kills this process with SIGKILL when `$DISPATCH_CRASH_AT` is `step`; otherwise does nothing. */
export function crashPoint(step: string): void {
  if (Deno.env.get(CRASH_AT) === step) Deno.kill(Deno.pid, "SIGKILL");
}
