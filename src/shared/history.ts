// A panel's run history: one summary per finished run of its file (scores and final parameters, never the
// per-iteration snapshots), kept by the host, persisted with the panel and sent to the webview for comparison.
// Plain data only (structured-clone and JSON safe).

import type { ModelKind, SelectionCriterion } from './protocol';

export interface RunSummary {
  /** 1, 2, 3 … in the order the runs finished (never reused within a panel's history). */
  id: number;
  /** When the run finished, in milliseconds since the epoch. */
  finishedAt: number;
  model: ModelKind;
  k: number;
  /** Gaussian: the covariance type or mclust model fitted. */
  covariance?: string;
  /** Set when a model selection chose K (and the model) by this criterion. */
  chosenBy?: SelectionCriterion;
  /** scikit-learn's sign, lower is better: −2 ln L + p ln n. */
  bic: number;
  aic: number;
  logLikelihood: number;
  parameters?: number;
  iterations: number;
  converged: boolean;
  degenerate: boolean;
  elapsedMs: number;
  n: number;
  d: number;
  columns: string[];
  /** The parameters are in standardised units. */
  standardized: boolean;
  /** A saved model applied to the file (its file name), not a fit. */
  appliedModel?: string;
  /** Final parameters; covariances (then means) are left out of a run too large to keep whole. */
  params: { weights: number[]; means?: number[][]; covariances?: number[][][] };
}
