/**
 * The error hierarchy of the helper. Every error a user can cause is a
 * {@linkcode DispatchError} with an exit code; anything else is a bug.
 * Messages follow `Sentence case: specifics`, one line, no trailing period.
 * @module
 */

/** Base class: an expected failure with the exit code the process ends with. */
export class DispatchError extends Error {
  /** Process exit code for this failure. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad command-line usage: unknown flag, missing argument. Exit 2. */
export class UsageError extends DispatchError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** Bad input data: a plan, a task id, an answer. Exit 65 (EX_DATAERR). */
export class InputError extends DispatchError {
  constructor(message: string) {
    super(message, 65);
  }
}

/** A task, question or file that does not exist. Exit 66 (EX_NOINPUT). */
export class NotFoundError extends DispatchError {
  constructor(message: string) {
    super(message, 66);
  }
}

/** A malformed or inconsistent config.yaml. Exit 78 (EX_CONFIG). */
export class ConfigError extends DispatchError {
  constructor(message: string) {
    super(message, 78);
  }
}

/** The request conflicts with the task's current state. Exit 75 (EX_TEMPFAIL) when worth retrying. */
export class StateError extends DispatchError {
  constructor(message: string, exitCode = 1) {
    super(message, exitCode);
  }
}

/** A wait ran out of time (ask, watch). Exit 124, like timeout(1). */
export class TimeoutError extends DispatchError {
  constructor(message: string) {
    super(message, 124);
  }
}

/** A worker CLI or external tool is missing or unusable. Exit 69 (EX_UNAVAILABLE). */
export class UnavailableError extends DispatchError {
  constructor(message: string) {
    super(message, 69);
  }
}
