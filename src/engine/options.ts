// Fills a fit's options with their defaults and rejects values out of range, naming the setting.

import { OptionsError } from './errors';
import { DEFAULT_FIT_OPTIONS, type FitOptions } from '../shared/settings';

const MODELS = ['auto', 'gaussian', 'bernoulli'] as const;
const COVARIANCE_TYPES = ['full', 'diag', 'spherical', 'tied'] as const;
const INITS = ['kmeans++', 'random', 'random-data', 'params', 'random-assignment'] as const;
/** Initialisations of the Gaussian family ('random-assignment' is the Bernoulli course's start only). */
export const GAUSSIAN_INITS = ['kmeans++', 'random', 'random-data', 'params'] as const;
const VARIANTS = ['soft', 'hard'] as const;

/** Fills defaults and rejects anything out of range with a message naming the setting and what is allowed. */
export function resolveOptions(partial: Partial<FitOptions>): FitOptions {
  const o: FitOptions = { ...DEFAULT_FIT_OPTIONS, ...stripUndefined(partial) };
  const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new OptionsError(message);
  };
  check(isInt(o.k) && o.k >= 1 && o.k <= 1000, `k must be a whole number from 1 to 1000, got ${String(o.k)}.`);
  check(isInt(o.maxIterations) && o.maxIterations >= 0 && o.maxIterations <= 1e6, `maxIterations must be a whole number from 0 to 1000000, got ${String(o.maxIterations)}.`);
  check(typeof o.tolerance === 'number' && o.tolerance >= 0 && Number.isFinite(o.tolerance), `tolerance must be a number ≥ 0, got ${String(o.tolerance)}.`);
  check(isInt(o.seed), `seed must be a whole number, got ${String(o.seed)}.`);
  check(isInt(o.restarts) && o.restarts >= 1 && o.restarts <= 1000, `restarts must be a whole number from 1 to 1000, got ${String(o.restarts)}.`);
  check(typeof o.regularization === 'number' && o.regularization >= 0 && Number.isFinite(o.regularization), `regularization must be a number ≥ 0, got ${String(o.regularization)}.`);
  check((MODELS as readonly string[]).includes(o.model), `model must be one of ${MODELS.join(', ')}, got ${String(o.model)}.`);
  check((COVARIANCE_TYPES as readonly string[]).includes(o.covarianceType), `covarianceType must be one of ${COVARIANCE_TYPES.join(', ')}, got ${String(o.covarianceType)}.`);
  check((INITS as readonly string[]).includes(o.init), `init must be one of ${INITS.join(', ')}, got ${String(o.init)}.`);
  check((VARIANTS as readonly string[]).includes(o.emVariant), `emVariant must be soft or hard, got ${String(o.emVariant)}.`);
  check(typeof o.threshold === 'number' && o.threshold >= 0 && o.threshold < 1, `threshold must be a number in [0, 1), got ${String(o.threshold)}.`);
  check(
    Array.isArray(o.betaPrior) && o.betaPrior.length === 2 && o.betaPrior.every((v) => typeof v === 'number' && v >= 1 && Number.isFinite(v)),
    `betaPrior must be two numbers ≥ 1 (a, b), got ${JSON.stringify(o.betaPrior)}.`,
  );
  check(isInt(o.imageWidth) && o.imageWidth >= 0, `imageWidth must be a whole number ≥ 0, got ${String(o.imageWidth)}.`);
  check(isInt(o.maxPlotPoints) && o.maxPlotPoints >= 1, `maxPlotPoints must be a whole number ≥ 1, got ${String(o.maxPlotPoints)}.`);
  check(isInt(o.threads) && o.threads >= 0 && o.threads <= 64, `threads must be a whole number from 0 to 64, got ${String(o.threads)}.`);
  check(Array.isArray(o.columns) && o.columns.every((c) => typeof c === 'string'), `columns must be a list of column names.`);
  check(o.init !== 'params' || o.initParams !== undefined, `init is "params" but no initial parameters were given (CLI: --init-params FILE.json).`);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

