/**
 * The project's own typed errors. Everything the engine or a loader throws on purpose is one of these, so callers
 * (worker, CLI, tests) can tell "your input is wrong" from "we have a bug".
 */

/** Input that cannot be used: names the file, where (line / field / byte offset) and what was expected. */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(
    message: string,
    readonly fileName?: string,
    /** 1-based line number, when the problem is on one line. */
    readonly line?: number,
  ) {
    super(message);
  }
}

/** A fit that cannot proceed (collapsed component, bad settings): says what to change. */
export class FitError extends Error {
  override readonly name = 'FitError';
  constructor(message: string) {
    super(message);
  }
}

/** Settings out of range (K < 1, negative iterations…). */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
  constructor(message: string) {
    super(message);
  }
}
