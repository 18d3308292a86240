// EM from given responsibilities, as R's mclust `me(modelName, data, z)`: each iteration is an M-step from z, then an
// E-step giving the log-likelihood of those parameters and the next z. It stops when the relative change
// |ℓ_t − ℓ_{t−1}| / (1 + |ℓ_t|) is at most `tolerance` (mclust's tol[1], default 1e-5) or after `maxIterations`.

import { EStepWorkspace, factorCovariances, mclustEStep } from './estep';
import { mclustBic, mclustIcl, nMclustParams, type MclustModelName } from './models';
import { DEFAULT_MSTEP_CONTROL, MclustState, type MStepFailure } from './mstep';

export interface MeOptions {
  maxIterations: number;
  /** Relative log-likelihood change at which EM stops (mclust's `tol[1]`); default 1e-5. */
  tolerance?: number;
  /** Ridge added to every covariance's diagonal after each M-step (scikit-learn's reg_covar); default 0 (mclust). */
  regularization?: number;
  /** Inner-iteration tolerance of VEI, VEV, VEE, EVE, VVE (mclust's `tol[2]`); default √ε. */
  innerTolerance?: number;
  /** Most inner iterations per M-step (mclust's `itmax[2]`); default 2³¹ − 1. */
  innerMaxIterations?: number;
  /** Case (frequency) weights w_i ≥ 0: every M-step takes w_i z_ik, the log-likelihood is Σ w_i ln p(x_i), BIC's n is Σ w_i. */
  caseWeights?: Float64Array;
}

export type MeStatus = 'converged' | 'max-iterations' | MStepFailure;

export interface MeResult {
  model: MclustModelName;
  n: number;
  d: number;
  k: number;
  status: MeStatus;
  converged: boolean;
  /** EM iterations performed (mclust's `info["iterations"]`); the failing one included when the fit failed. */
  iterations: number;
  /** Log-likelihood after each iteration (of the parameters from that iteration's M-step). */
  trace: number[];
  /** Final log-likelihood; NaN when the fit failed (mclust: NA). */
  logLikelihood: number;
  /** Relative change at the last iteration (mclust's `info["error"]`). */
  relativeChange: number;
  /** Most inner iterations taken by one M-step (0 for the closed-form models). */
  innerIterations: number;
  weights: Float64Array;
  /** K × d, row-major. */
  means: Float64Array;
  /** K × d × d full matrices, row-major. */
  covariances: Float64Array;
  /** n × K responsibilities of the final parameters. */
  z: Float64Array;
  /** mclust's `nMclustParams`. */
  parameters: number;
  /** mclust's sign: 2 ln L − p ln n (NaN when the fit failed). */
  bic: number;
  /** mclust's ICL, same sign: BIC + 2 Σ_i ln max_k z_ik (NaN when the fit failed). */
  icl: number;
}

/**
 * Runs mclust's EM for `model` on the n × d row-major data `x` from the n × K responsibilities `z0` (not modified).
 * Numerical failures (an emptied component, a singular covariance) end the run with that status, as mclust's `me`
 * returns NA; they never throw. Throws RangeError only for inconsistent arguments.
 */
export function meFromResponsibilities(model: MclustModelName, x: Float64Array, n: number, d: number, z0: Float64Array, options: MeOptions): MeResult {
  if (!(n >= 1) || !(d >= 1) || x.length !== n * d) throw new RangeError(`data must be n × d = ${n} × ${d} values; got ${x.length}`);
  if (z0.length % n !== 0 || z0.length === 0) throw new RangeError(`responsibilities must be n × K with n = ${n}; got ${z0.length} values`);
  if (!(options.maxIterations >= 1)) throw new RangeError(`maxIterations must be at least 1; got ${options.maxIterations}`);
  const k = z0.length / n;
  const state = new MclustState(model, d, k);
  const workspace = new EStepWorkspace(d, k);
  const control = {
    ...DEFAULT_MSTEP_CONTROL,
    regularization: options.regularization ?? 0,
    innerTolerance: options.innerTolerance ?? DEFAULT_MSTEP_CONTROL.innerTolerance,
    innerMaxIterations: options.innerMaxIterations ?? DEFAULT_MSTEP_CONTROL.innerMaxIterations,
  };
  const tolerance = options.tolerance ?? 1e-5;
  const z = Float64Array.from(z0);
  const caseWeights = options.caseWeights;
  let total = n;
  if (caseWeights) {
    total = 0;
    for (let i = 0; i < n; i++) total += caseWeights[i];
  }
  // The M-step's input: z, or w_i z_ik with case weights.
  const zm = caseWeights ? new Float64Array(z.length) : z;
  const trace: number[] = [];
  let previous = Number.MAX_VALUE / 2;
  let relativeChange = Number.MAX_VALUE;
  let innerIterations = 0;
  let status: MeStatus = 'max-iterations';
  let iterations = 0;
  while (iterations < options.maxIterations) {
    iterations++;
    if (caseWeights) for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) zm[i * k + c] = caseWeights[i] * z[i * k + c];
    const failure = state.mStep(x, n, zm, control, total) ?? (factorCovariances(state.covariances, workspace, control.eps) ? undefined : 'singular');
    innerIterations = Math.max(innerIterations, state.innerIterations);
    if (failure) {
      status = failure;
      break;
    }
    const logLikelihood = mclustEStep(x, n, state.weights, state.means, workspace, z, caseWeights);
    trace.push(logLikelihood);
    relativeChange = Math.abs(previous - logLikelihood) / (1 + Math.abs(logLikelihood));
    previous = logLikelihood;
    if (relativeChange <= tolerance) {
      status = 'converged';
      break;
    }
  }
  const failed = status === 'singular' || status === 'empty-component';
  const logLikelihood = failed ? NaN : trace[trace.length - 1];
  const parameters = nMclustParams(model, d, k);
  const bic = failed ? NaN : mclustBic(logLikelihood, parameters, total);
  return {
    model,
    n,
    d,
    k,
    status,
    converged: status === 'converged',
    iterations,
    trace,
    logLikelihood,
    relativeChange,
    innerIterations,
    weights: state.weights,
    means: state.means,
    covariances: state.covariances,
    z,
    parameters,
    bic,
    icl: failed ? NaN : mclustIcl(bic, z, n, k, caseWeights),
  };
}
