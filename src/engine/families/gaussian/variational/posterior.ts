// The posterior of scikit-learn's BayesianGaussianMixture (sklearn/mixture/_bayesian_mixture.py) and what is computed
// from it: the M-step's update from the sufficient statistics (nk, xk, sk), each row's expected log-probabilities,
// the lower bound, the expected weights and the covariances. The in-memory fit (fit.ts) and the streamed one
// (streamed.ts) differ only in how they sum the statistics, so both go through this one class.

import type { GaussianSnapshot } from '../../../../shared/protocol';
import { FitError } from '../../../errors';
import { choleskyInPlace, precisionCholeskyFromCovarianceCholesky } from '../linalg';
import { digamma, lnBeta, lnGamma } from '../../../em/special';
import type { VariationalCovarianceType, VariationalPriors, WeightConcentrationPriorType } from './fit';

const LN_2PI = Math.log(2 * Math.PI);
const LN_2 = Math.log(2);
const COLLAPSED =
  'Fitting the mixture model failed because some components have ill-defined empirical covariance (for instance caused by singleton or collapsed samples). Try to decrease the number of components, or increase the regularization.';

export class VariationalPosterior {
  /** Dirichlet concentrations (or the first Beta parameter of each stick). */
  readonly alpha: Float64Array;
  /** The second Beta parameter of each stick ('dirichlet_process'). */
  readonly betaStick: Float64Array;
  readonly meanPrecision: Float64Array;
  /** K × d posterior means of the component means. */
  readonly means: Float64Array;
  readonly dof: Float64Array;
  /** Covariances normalised by the degrees of freedom, shaped as sk. */
  readonly cov: Float64Array;
  readonly precChol: Float64Array;
  // Per component, from the M-step: ln det U_k (U_k Uᵀ_k = Σ_k⁻¹), (d/2) ln ν_k, and the variational correction
  // ½(ln Λ̃_k − d / β_k) − (d/2) ln ν_k that turns ln N(x | μ_k, Σ_k) into E[ln N] (sklearn's _estimate_log_prob).
  readonly logDetU: Float64Array;
  readonly halfDLogDof: Float64Array;
  readonly logLambdaTerm: Float64Array;
  /** E[ln π_k]. */
  readonly logWeights: Float64Array;
  private readonly scratch: Float64Array;
  private readonly diff: Float64Array;
  private readonly isFull: boolean;
  private readonly isTied: boolean;
  private readonly isDiag: boolean;

  constructor(
    readonly d: number,
    readonly k: number,
    readonly covarianceType: VariationalCovarianceType,
    readonly priorType: WeightConcentrationPriorType,
    readonly priors: VariationalPriors,
  ) {
    this.isFull = covarianceType === 'full';
    this.isTied = covarianceType === 'tied';
    this.isDiag = covarianceType === 'diag';
    const skSize = statisticsSize(covarianceType, d, k);
    this.alpha = new Float64Array(k);
    this.betaStick = new Float64Array(k);
    this.meanPrecision = new Float64Array(k);
    this.means = new Float64Array(k * d);
    this.dof = new Float64Array(k);
    this.cov = new Float64Array(skSize);
    this.precChol = new Float64Array(skSize);
    this.logDetU = new Float64Array(k);
    this.halfDLogDof = new Float64Array(k);
    this.logLambdaTerm = new Float64Array(k);
    this.logWeights = new Float64Array(k);
    this.scratch = new Float64Array(d * d);
    this.diff = new Float64Array(d);
  }

  /**
   * The M-step from sklearn's statistics: nk = Σ r + 10 ε, xk = Σ r x / nk, sk the covariances about xk with
   * reg_covar added (shaped by covarianceType). Throws FitError when a covariance is not positive definite.
   */
  update(nk: Float64Array, xk: Float64Array, sk: Float64Array): void {
    const { d, k, priorType, isFull, isTied, isDiag, alpha, betaStick, meanPrecision, means, dof, cov, precChol, logDetU, halfDLogDof, logLambdaTerm, logWeights, scratch, diff } = this;
    const { meanPrior: m0, meanPrecisionPrior: beta0, degreesOfFreedomPrior: nu0, weightConcentrationPrior: gamma0, covariancePrior: w0 } = this.priors;
    const skSize = cov.length;
    let nkSum = 0;
    for (let c = 0; c < k; c++) nkSum += nk[c];
    // _estimate_weights
    if (priorType === 'dirichlet_process') {
      let tail = 0;
      for (let c = k - 1; c >= 0; c--) {
        alpha[c] = 1 + nk[c];
        betaStick[c] = gamma0 + tail;
        tail += nk[c];
      }
    } else {
      for (let c = 0; c < k; c++) alpha[c] = gamma0 + nk[c];
    }
    // _estimate_means
    for (let c = 0; c < k; c++) {
      meanPrecision[c] = beta0 + nk[c];
      for (let j = 0; j < d; j++) means[c * d + j] = (beta0 * m0[j] + nk[c] * xk[c * d + j]) / meanPrecision[c];
    }
    // _estimate_wishart_*: covariances normalised by the degrees of freedom, as sklearn.
    if (isFull) {
      for (let c = 0; c < k; c++) {
        dof[c] = nu0 + nk[c];
        const o = c * d * d;
        const shrink = (nk[c] * beta0) / meanPrecision[c];
        for (let j = 0; j < d; j++) diff[j] = xk[c * d + j] - m0[j];
        for (let a = 0; a < d; a++)
          for (let b = 0; b < d; b++)
            cov[o + a * d + b] = (w0[a * d + b] + nk[c] * sk[o + a * d + b] + shrink * diff[a] * diff[b]) / dof[c];
      }
    } else if (isTied) {
      const nkMean = nkSum / k;
      const dofTied = nu0 + nkMean;
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) scratch[a * d + b] = 0;
      for (let c = 0; c < k; c++) {
        const f = nk[c] / meanPrecision[c];
        for (let j = 0; j < d; j++) diff[j] = xk[c * d + j] - m0[j];
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) scratch[a * d + b] += f * diff[a] * diff[b];
      }
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) cov[a * d + b] = (w0[a * d + b] + sk[a * d + b] * nkMean + (beta0 / k) * scratch[a * d + b]) / dofTied;
      dof.fill(dofTied);
    } else if (isDiag) {
      for (let c = 0; c < k; c++) {
        dof[c] = nu0 + nk[c];
        const shrink = beta0 / meanPrecision[c];
        for (let j = 0; j < d; j++) {
          const e = xk[c * d + j] - m0[j];
          cov[c * d + j] = (w0[j] + nk[c] * (sk[c * d + j] + shrink * e * e)) / dof[c];
        }
      }
    } else {
      for (let c = 0; c < k; c++) {
        dof[c] = nu0 + nk[c];
        let m = 0;
        for (let j = 0; j < d; j++) {
          const e = xk[c * d + j] - m0[j];
          m += e * e;
        }
        cov[c] = (w0[0] + nk[c] * (sk[c] + (beta0 / meanPrecision[c]) * (m / d))) / dof[c];
      }
    }
    // _compute_precision_cholesky, then the per-component constants of the E-step and the bound.
    if (isFull || isTied) {
      const count = isFull ? k : 1;
      for (let c = 0; c < count; c++) {
        const o = c * d * d;
        for (let t = 0; t < d * d; t++) scratch[t] = cov[o + t];
        if (!choleskyInPlace(scratch, d, 0)) throw new FitError(COLLAPSED);
        precisionCholeskyFromCovarianceCholesky(scratch, d, precChol, 0, o);
      }
    } else {
      for (let t = 0; t < skSize; t++) {
        if (!(cov[t] > 0)) throw new FitError(COLLAPSED);
        precChol[t] = 1 / Math.sqrt(cov[t]);
      }
    }
    for (let c = 0; c < k; c++) {
      let logDet = 0;
      if (isFull || isTied) {
        const o = isFull ? c * d * d : 0;
        for (let j = 0; j < d; j++) logDet += Math.log(precChol[o + j * d + j]);
      } else if (isDiag) {
        for (let j = 0; j < d; j++) logDet += Math.log(precChol[c * d + j]);
      } else {
        logDet = d * Math.log(precChol[c]);
      }
      logDetU[c] = logDet;
      halfDLogDof[c] = 0.5 * d * Math.log(dof[c]);
      let logLambda = d * LN_2;
      for (let j = 0; j < d; j++) logLambda += digamma(0.5 * (dof[c] - j));
      logLambdaTerm[c] = 0.5 * (logLambda - d / meanPrecision[c]) - halfDLogDof[c];
    }
    // _estimate_log_weights
    if (priorType === 'dirichlet_process') {
      let stick = 0;
      for (let c = 0; c < k; c++) {
        const dSum = digamma(alpha[c] + betaStick[c]);
        logWeights[c] = digamma(alpha[c]) - dSum + stick;
        stick += digamma(betaStick[c]) - dSum;
      }
    } else {
      let total = 0;
      for (let c = 0; c < k; c++) total += alpha[c];
      const dTotal = digamma(total);
      for (let c = 0; c < k; c++) logWeights[c] = digamma(alpha[c]) - dTotal;
    }
  }

  /** ln N(x_row | μ_c, Σ_c) through the precision Cholesky factor, without the variational terms (row: offset in x). */
  logGauss(x: Float64Array, row: number, c: number): number {
    const { d, isFull, isTied, isDiag, means, precChol, logDetU, diff } = this;
    let q = 0;
    if (isFull || isTied) {
      const o = isFull ? c * d * d : 0;
      const mo = c * d;
      for (let j = 0; j < d; j++) diff[j] = x[row + j] - means[mo + j];
      // y = (x − μ)ᵀ U with U upper triangular.
      for (let j = 0; j < d; j++) {
        let y = 0;
        for (let a = 0; a <= j; a++) y += diff[a] * precChol[o + a * d + j];
        q += y * y;
      }
      return -0.5 * (d * LN_2PI + q) + logDetU[c];
    }
    for (let j = 0; j < d; j++) {
      const p = isDiag ? precChol[c * d + j] : precChol[c];
      const y = (x[row + j] - means[c * d + j]) * p;
      q += y * y;
    }
    return -0.5 * (d * LN_2PI + q) + logDetU[c];
  }

  /** E[ln π_c] + E[ln N(x_row | μ_c, Λ_c)] of every component into `out`; returns their largest. */
  expectedLogProb(x: Float64Array, row: number, out: Float64Array): number {
    const { k, logLambdaTerm, logWeights } = this;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const v = this.logGauss(x, row, c) + logLambdaTerm[c] + logWeights[c];
      out[c] = v;
      if (v > max) max = v;
    }
    return max;
  }

  /** sklearn's _compute_lower_bound (without constant terms) given the E-step's −Σ r ln r. */
  lowerBound(entropy: number): number {
    const { d, k, priorType, alpha, betaStick, meanPrecision, dof, logDetU, halfDLogDof } = this;
    let logWishart = 0;
    for (let c = 0; c < k; c++) {
      let g = 0;
      for (let j = 0; j < d; j++) g += lnGamma(0.5 * (dof[c] - j));
      // sklearn's _log_wishart_norm of the normalised precision (ln det U_k − (d/2) ln ν_k), without ln π terms.
      logWishart -= dof[c] * (logDetU[c] - halfDLogDof[c]) + dof[c] * d * 0.5 * LN_2 + g;
    }
    let logNormWeight = 0;
    if (priorType === 'dirichlet_process') {
      for (let c = 0; c < k; c++) logNormWeight -= lnBeta(alpha[c], betaStick[c]);
    } else {
      let total = 0;
      for (let c = 0; c < k; c++) {
        total += alpha[c];
        logNormWeight -= lnGamma(alpha[c]);
      }
      logNormWeight += lnGamma(total);
    }
    let logMeanPrecision = 0;
    for (let c = 0; c < k; c++) logMeanPrecision += Math.log(meanPrecision[c]);
    return entropy - logWishart - logNormWeight - 0.5 * d * logMeanPrecision;
  }

  /** E[π] (sklearn's weights_) into `out`. */
  expectedWeights(out: Float64Array): Float64Array {
    const { k, priorType, alpha, betaStick } = this;
    let total = 0;
    if (priorType === 'dirichlet_process') {
      let remaining = 1;
      for (let c = 0; c < k; c++) {
        const sum = alpha[c] + betaStick[c];
        out[c] = (alpha[c] / sum) * remaining;
        remaining *= betaStick[c] / sum;
        total += out[c];
      }
    } else {
      for (let c = 0; c < k; c++) total += alpha[c];
      for (let c = 0; c < k; c++) out[c] = alpha[c];
    }
    for (let c = 0; c < k; c++) out[c] /= total;
    return out;
  }

  /** The covariances as K full d × d matrices (row-major) into `out`. */
  expandedCovariances(out: Float64Array): Float64Array {
    const { d, k, isFull, isTied, isDiag, cov } = this;
    out.fill(0);
    for (let c = 0; c < k; c++) {
      const o = c * d * d;
      if (isFull) for (let t = 0; t < d * d; t++) out[o + t] = cov[o + t];
      else if (isTied) for (let t = 0; t < d * d; t++) out[o + t] = cov[t];
      else for (let j = 0; j < d; j++) out[o + j * d + j] = isDiag ? cov[c * d + j] : cov[c];
    }
    return out;
  }

  /** The expected parameters in the panel's Gaussian snapshot shape. */
  snapshot(iteration: number): GaussianSnapshot {
    const { d, k, means } = this;
    const w = this.expectedWeights(new Float64Array(k));
    const full = this.expandedCovariances(new Float64Array(k * d * d));
    return {
      model: 'gaussian',
      iteration,
      weights: Array.from(w),
      means: Array.from({ length: k }, (_, c) => Array.from(means.subarray(c * d, c * d + d))),
      covariances: Array.from({ length: k }, (_, c) =>
        Array.from({ length: d }, (_, a) => Array.from(full.subarray(c * d * d + a * d, c * d * d + a * d + d))),
      ),
    };
  }
}

/** Length of sk and of the covariances for a covariance type: K d × d, one d × d, K × d or K. */
export function statisticsSize(covarianceType: VariationalCovarianceType, d: number, k: number): number {
  return covarianceType === 'full' ? k * d * d : covarianceType === 'tied' ? d * d : covarianceType === 'diag' ? k * d : k;
}
