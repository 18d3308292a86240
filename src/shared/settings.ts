// Fit options: their types and defaults. The one place a setting's type, default and range are declared.
// Plain data only; no `vscode` import.

export type ModelChoice = 'auto' | 'gaussian' | 'bernoulli';
export type ModelKind = 'gaussian' | 'bernoulli';
export type CovarianceType = 'full' | 'diag' | 'spherical' | 'tied';
/**
 * kmeans++ (default), random responsibilities, random data points as means, explicit parameters; Bernoulli also
 * random-assignment (every row in a uniformly random cluster: the course's start for hard EM).
 */
export type InitMethod = 'kmeans++' | 'random' | 'random-data' | 'params' | 'random-assignment';
export type EmVariant = 'soft' | 'hard';

/** Explicit starting parameters (CLI `--init-params`, figure reproduction). */
export interface InitParams {
  weights: number[];
  /** K × D: Gaussian means, or Bernoulli pixel probabilities. */
  means: number[][];
  /** Gaussian only, K × D × D (full). Diag/spherical/tied accept their own shapes, see engine/gaussian.ts. */
  covariances?: unknown;
}

export interface FitOptions {
  model: ModelChoice;
  k: number;
  maxIterations: number;
  /** Convergence when |Δ mean log-likelihood per sample| < tolerance (as sklearn). */
  tolerance: number;
  seed: number;
  init: InitMethod;
  /** Number of initialisations (sklearn's n_init); the best final objective is kept. */
  restarts: number;
  covarianceType: CovarianceType;
  /** Added to covariance diagonals (sklearn's reg_covar). */
  regularization: number;
  standardize: boolean;
  /** Columns to fit by name; empty = every numeric column. */
  columns: string[];
  initParams?: InitParams;
  emVariant: EmVariant;
  /** Binarisation threshold on pixels scaled to [0, 1]. */
  threshold: number;
  /** Beta(a, b) prior on each Bernoulli pixel probability; (2, 2) gives (counts+1)/(n+2). */
  betaPrior: [number, number];
  /** Image width when the file does not say it (0 = square if D is a perfect square). */
  imageWidth: number;
  /** Most points ever sent to the webview. */
  maxPlotPoints: number;
  /** Compute threads for the engine (0 = all cores). */
  threads: number;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = {
  model: 'auto',
  k: 2,
  maxIterations: 100,
  tolerance: 1e-3,
  seed: 0,
  init: 'kmeans++',
  restarts: 1,
  covarianceType: 'full',
  regularization: 1e-6,
  standardize: false,
  columns: [],
  emVariant: 'soft',
  threshold: 0.5,
  betaPrior: [2, 2],
  imageWidth: 0,
  maxPlotPoints: 5000,
  threads: 0,
};

/** Limits used to validate anything that arrives in a message (a webview is not trusted). */
export const LIMITS = {
  kMin: 1,
  kMax: 200,
  maxIterationsMin: 1,
  maxIterationsMax: 100000,
  exportBytesMax: 50 * 1024 * 1024,
} as const;

