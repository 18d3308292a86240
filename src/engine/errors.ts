/**
 * The project's own typed errors. Everything the engine or a loader throws on purpose is one of these, so callers
 * (worker, CLI, tests) can tell "your input is wrong" from "we have a bug".
 */

/**
 * The bundles are separate files (dist/typedReaders.js is loaded by the worker and the CLI on first use), each with
 * its own copy of these classes: `instanceof` recognises an error by a brand registered across bundles, not by class
 * identity, so a typed reader's DataError is still the user's message and not an internal error.
 */
function branded(brand: symbol): (value: unknown) => boolean {
  return (value) => typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
const DATA_ERROR = Symbol.for('mixscope.DataError');
const FIT_ERROR = Symbol.for('mixscope.FitError');
const OPTIONS_ERROR = Symbol.for('mixscope.OptionsError');

/** Input that cannot be used: names the file, where (line / field / byte offset) and what was expected. */
export class DataError extends Error {
  static override [Symbol.hasInstance] = branded(DATA_ERROR);
  readonly [DATA_ERROR] = true;
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
  static override [Symbol.hasInstance] = branded(FIT_ERROR);
  readonly [FIT_ERROR] = true;
  override readonly name = 'FitError';
  constructor(message: string) {
    super(message);
  }
}

/** Settings out of range (K < 1, negative iterations…). */
export class OptionsError extends Error {
  static override [Symbol.hasInstance] = branded(OPTIONS_ERROR);
  readonly [OPTIONS_ERROR] = true;
  override readonly name = 'OptionsError';
  constructor(message: string) {
    super(message);
  }
}

/** Turns anything thrown during a load or fit into one message for the user, classified. */
export function describeError(error: unknown, fileName: string): { kind: 'data' | 'fit' | 'internal'; message: string } {
  if (error instanceof DataError || error instanceof OptionsError) {
    const message = error.message.includes(fileName) ? error.message : `${fileName}: ${error.message}`;
    return { kind: 'data', message };
  }
  if (error instanceof FitError) return { kind: 'fit', message: error.message.includes(fileName) ? error.message : `${fileName}: ${error.message}` };
  if (error instanceof RangeError && /allocation|memory|array buffer|invalid array length/i.test(error.message)) {
    return { kind: 'internal', message: `${fileName}: not enough memory for this fit (${error.message}).` };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { kind: 'internal', message: `${fileName}: internal error in the engine: ${detail}` };
}
