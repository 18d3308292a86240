// Variational Bayesian Gaussian mixture, as scikit-learn's BayesianGaussianMixture (sklearn/mixture/_bayesian_mixture.py,
// Bishop ch. 10.2 and Blei & Jordan 2006): a Dirichlet-distribution or truncated Dirichlet-process (stick-breaking)
// prior on the weights, Gaussian–Wishart priors on the components. Components the data do not need keep a weight near
// zero, so the effective number of components is found below the upper bound K.
//
// The order is sklearn's: the start responsibilities go through one M-step (`_initialize`), then every iteration is an
// E-step, an M-step and the lower bound (`_compute_lower_bound`, sklearn's simplified form without constant terms).
// The run stops when the bound changes by less than `tolerance` (absolute, on the whole-data bound) or after
// `maxIterations`. A final E-step gives the responsibilities and labels of the returned parameters.

import type { GaussianSnapshot } from '../../../../shared/protocol';
import { choleskyInPlace } from '../linalg';
import { statisticsSize, VariationalPosterior } from './posterior';

export type WeightConcentrationPriorType = 'dirichlet_process' | 'dirichlet_distribution';
export type VariationalCovarianceType = 'full' | 'tied' | 'diag' | 'spherical';

/** Weight above which a component counts as used (scikit-learn users' usual `(weights_ > 0.01).sum()`). */
export const DEFAULT_EFFECTIVE_WEIGHT_THRESHOLD = 0.01;

export interface VariationalOptions {
  /** Default 'dirichlet_process' (sklearn's default). */
  weightConcentrationPriorType?: WeightConcentrationPriorType;
  /** γ of the weight prior, > 0; default 1 / K. */
  weightConcentrationPrior?: number;
  /** β₀, precision prior on the means, > 0; default 1. */
  meanPrecisionPrior?: number;
  /** m₀, d values; default the data mean. */
  meanPrior?: ArrayLike<number>;
  /** ν₀ of the Wishart prior, > d − 1; default d. */
  degreesOfFreedomPrior?: number;
  /**
   * Wishart prior covariance, shaped as sklearn's covariance_prior: d × d (row-major, symmetric positive definite) for
   * 'full' and 'tied', d positive variances for 'diag', one positive number for 'spherical'. Default the data's
   * covariance with the n − 1 divisor (numpy's cov; for 'diag' its diagonal, for 'spherical' the mean of that).
   */
  covariancePrior?: number | ArrayLike<number>;
  /** Default 'full'. */
  covarianceType?: VariationalCovarianceType;
  /** Added to the diagonal of each component's empirical covariance (sklearn's reg_covar), ≥ 0; default 1e-6. */
  regularization?: number;
  /** Stop when |lower bound change| < tolerance (sklearn's tol, on the whole-data bound), ≥ 0; default 1e-3. */
  tolerance?: number;
  /** Most E/M iterations, a whole number ≥ 0 (0 returns the start); default 100. */
  maxIterations?: number;
  /** n × K row-major start responsibilities (rows ≥ 0 summing to 1), as passed to sklearn's _initialize(X, resp). */
  startResponsibilities: Float64Array;
  /** Weight above which a component is counted in `effectiveComponents`; default 0.01. */
  effectiveWeightThreshold?: number;
  /** Called after every iteration; `snapshot()` builds the current parameters only when asked. */
  onIteration?: (progress: { iteration: number; lowerBound: number; snapshot: () => GaussianSnapshot }) => void;
}

/** The priors actually used (defaults filled in). */
export interface VariationalPriors {
  weightConcentrationPrior: number;
  meanPrecisionPrior: number;
  meanPrior: Float64Array;
  degreesOfFreedomPrior: number;
  /** d × d for 'full' and 'tied', d for 'diag', 1 for 'spherical'. */
  covariancePrior: Float64Array;
}

export interface VariationalResult {
  n: number;
  d: number;
  k: number;
  covarianceType: VariationalCovarianceType;
  weightConcentrationPriorType: WeightConcentrationPriorType;
  converged: boolean;
  /** Iterations performed (sklearn's n_iter_). */
  iterations: number;
  /** Lower bound after each iteration's M-step (sklearn's _compute_lower_bound). */
  lowerBounds: number[];
  /** The last of `lowerBounds` (sklearn's lower_bound_); −∞ when no iteration ran. */
  lowerBound: number;
  /** Expected mixing weights E[π] (sklearn's weights_). */
  weights: Float64Array;
  /** K × d posterior means of the component means (sklearn's means_). */
  means: Float64Array;
  /** K × d × d covariances (sklearn's covariances_ expanded to full matrices for 'tied', 'diag', 'spherical'). */
  covariances: Float64Array;
  /** n × K responsibilities of the returned parameters. */
  responsibilities: Float64Array;
  /** Most responsible component of each row (sklearn's predict; the first on ties). */
  assignments: Int32Array;
  /** Number of components with weight > `effectiveWeightThreshold`. */
  effectiveComponents: number;
  effectiveWeightThreshold: number;
  /** Mean over rows of ln Σ_k exp(E[ln π_k] + E[ln N(x | μ_k, Λ_k)]) of the returned parameters (sklearn's score(X)). */
  score: number;
  /** Σ_i ln Σ_k w_k N(x_i | μ_k, Σ_k) of the returned weights, means and covariances taken as a plain mixture. */
  logLikelihood: number;
  /** Posterior parameters: Dirichlet (or Beta sticks: α, β), Normal precision scale β_k, Wishart degrees of freedom. */
  posterior: {
    weightConcentration: Float64Array;
    /** The second Beta parameter of each stick, for 'dirichlet_process' only. */
    weightConcentrationB?: Float64Array;
    meanPrecision: Float64Array;
    degreesOfFreedom: Float64Array;
  };
  priors: VariationalPriors;
  /** The returned parameters in the panel's Gaussian snapshot shape. */
  snapshot: GaussianSnapshot;
}

const EPS = 2.220446049250313e-16;

/**
 * Fits a variational Bayesian Gaussian mixture with at most `k` components to the n × d row-major `x`, from
 * `options.startResponsibilities`. Throws RangeError for inconsistent arguments and FitError when a covariance stops
 * being positive definite (sklearn's ValueError).
 */
export function fitVariational(x: Float64Array, n: number, d: number, k: number, options: VariationalOptions): VariationalResult {
  const s = resolve(x, n, d, k, options);
  const { covarianceType, priorType, priors, regularization, tolerance, maxIterations } = s;
  const isFull = covarianceType === 'full';
  const isTied = covarianceType === 'tied';
  const isDiag = covarianceType === 'diag';
  const posterior = new VariationalPosterior(d, k, covarianceType, priorType, priors);
  const { means } = posterior;

  // Sufficient statistics (sklearn's nk, xk, sk), allocated once.
  const nk = new Float64Array(k);
  const xk = new Float64Array(k * d);
  const sk = new Float64Array(statisticsSize(covarianceType, d, k));
  const diff = new Float64Array(d);
  const rowLog = new Float64Array(k);
  const resp = Float64Array.from(options.startResponsibilities);

  function mStep(): void {
    // _estimate_gaussian_parameters: nk = Σ r + 10 ε, xk = Σ r x / nk, sk centred on xk plus reg_covar.
    nk.fill(0);
    xk.fill(0);
    sk.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        nk[c] += r;
        const o = c * d;
        for (let j = 0; j < d; j++) xk[o + j] += r * x[row + j];
      }
    }
    let nkSum = 0;
    for (let c = 0; c < k; c++) {
      nk[c] += 10 * EPS;
      nkSum += nk[c];
      const inv = 1 / nk[c];
      for (let j = 0; j < d; j++) xk[c * d + j] *= inv;
    }
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        const o = c * d;
        for (let j = 0; j < d; j++) diff[j] = x[row + j] - xk[o + j];
        if (isFull || isTied) {
          const so = isFull ? c * d * d : 0;
          for (let a = 0; a < d; a++) {
            const ra = r * diff[a];
            for (let b = 0; b <= a; b++) sk[so + a * d + b] += ra * diff[b];
          }
        } else if (isDiag) {
          for (let j = 0; j < d; j++) sk[o + j] += r * diff[j] * diff[j];
        } else {
          // spherical: the mean over columns of the diagonal covariance, as sklearn.
          let t = 0;
          for (let j = 0; j < d; j++) t += diff[j] * diff[j];
          sk[c] += r * t;
        }
      }
    }
    if (isFull || isTied) {
      const count = isFull ? k : 1;
      for (let c = 0; c < count; c++) {
        const so = c * d * d;
        const divisor = isFull ? nk[c] : nkSum;
        for (let a = 0; a < d; a++) {
          for (let b = 0; b <= a; b++) {
            const v = sk[so + a * d + b] / divisor + (a === b ? regularization : 0);
            sk[so + a * d + b] = v;
            sk[so + b * d + a] = v;
          }
        }
      }
    } else if (isDiag) {
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) sk[c * d + j] = sk[c * d + j] / nk[c] + regularization;
    } else {
      for (let c = 0; c < k; c++) sk[c] = sk[c] / nk[c] / d + regularization;
    }
    posterior.update(nk, xk, sk);
  }

  /** Writes resp = exp(log_resp); returns Σ_i ln Σ_k exp(weighted log prob) and −Σ r ln r. */
  const eOut = { logProbNormSum: 0, entropy: 0 };
  function eStep(): void {
    let lpnSum = 0;
    let entropy = 0;
    for (let i = 0; i < n; i++) {
      const max = posterior.expectedLogProb(x, i * d, rowLog);
      // exp(v − max) / Σ is exp(v − ln Σ exp v) to rounding, with one exp per component.
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp(rowLog[c] - max);
        resp[i * k + c] = e;
        sum += e;
      }
      const logSum = Math.log(sum);
      const lpn = logSum + max;
      lpnSum += lpn;
      const inv = 1 / sum;
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c] * inv;
        resp[i * k + c] = r;
        if (r > 0) entropy -= r * (rowLog[c] - lpn);
      }
    }
    eOut.logProbNormSum = lpnSum;
    eOut.entropy = entropy;
  }


  // _initialize(X, resp), then sklearn's loop.
  mStep();
  const lowerBounds: number[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  let converged = false;
  let iterations = 0;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    eStep();
    mStep();
    const bound = posterior.lowerBound(eOut.entropy);
    lowerBounds.push(bound);
    iterations = iteration;
    options.onIteration?.({ iteration, lowerBound: bound, snapshot: () => posterior.snapshot(iteration) });
    const change = bound - previous;
    previous = bound;
    if (Math.abs(change) < tolerance) {
      converged = true;
      break;
    }
  }

  // Final E-step on the returned parameters (sklearn's fit_predict does the same for its labels).
  eStep();
  const weights = posterior.expectedWeights(new Float64Array(k));
  const assignments = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (resp[i * k + c] > resp[i * k + best]) best = c;
    assignments[i] = best;
  }
  const threshold = s.effectiveWeightThreshold;
  let effectiveComponents = 0;
  for (let c = 0; c < k; c++) if (weights[c] > threshold) effectiveComponents++;

  let logLikelihood = 0;
  const logW = new Float64Array(k);
  for (let c = 0; c < k; c++) logW[c] = Math.log(weights[c]);
  for (let i = 0; i < n; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const v = logW[c] + posterior.logGauss(x, i * d, c);
      rowLog[c] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(rowLog[c] - max);
    logLikelihood += Math.log(sum) + max;
  }

  return {
    n,
    d,
    k,
    covarianceType,
    weightConcentrationPriorType: priorType,
    converged,
    iterations,
    lowerBounds,
    lowerBound: lowerBounds.length > 0 ? lowerBounds[lowerBounds.length - 1] : Number.NEGATIVE_INFINITY,
    weights,
    means: Float64Array.from(means),
    covariances: posterior.expandedCovariances(new Float64Array(k * d * d)),
    responsibilities: resp,
    assignments,
    effectiveComponents,
    effectiveWeightThreshold: threshold,
    score: eOut.logProbNormSum / n,
    logLikelihood,
    posterior: {
      weightConcentration: Float64Array.from(posterior.alpha),
      weightConcentrationB: priorType === 'dirichlet_process' ? Float64Array.from(posterior.betaStick) : undefined,
      meanPrecision: Float64Array.from(posterior.meanPrecision),
      degreesOfFreedom: Float64Array.from(posterior.dof),
    },
    priors,
    snapshot: posterior.snapshot(iterations),
  };
}

interface Resolved {
  covarianceType: VariationalCovarianceType;
  priorType: WeightConcentrationPriorType;
  priors: VariationalPriors;
  regularization: number;
  tolerance: number;
  maxIterations: number;
  effectiveWeightThreshold: number;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw new RangeError(`${name} must be a finite number > 0; got ${value}`);
  return value;
}

/** Checks the arguments and fills in sklearn's default priors. */
function resolve(x: Float64Array, n: number, d: number, k: number, options: VariationalOptions): Resolved {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`d (columns) must be a whole number ≥ 1; got ${d}`);
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`n (rows) must be a whole number ≥ 2; got ${n}`);
  if (!(x instanceof Float64Array) || x.length !== n * d) throw new RangeError(`data must be n × d = ${n} × ${d} values; got ${x?.length}`);
  for (let t = 0; t < x.length; t++) if (!Number.isFinite(x[t])) throw new RangeError(`data must be finite; row ${Math.floor(t / d) + 1}, column ${(t % d) + 1} is ${x[t]}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`K (the upper bound on components) must be a whole number ≥ 1; got ${k}`);
  if (n < k) throw new RangeError(`K = ${k} components need at least ${k} rows; got ${n}`);

  const covarianceType = options.covarianceType ?? 'full';
  if (!['full', 'tied', 'diag', 'spherical'].includes(covarianceType))
    throw new RangeError(`covarianceType must be 'full', 'tied', 'diag' or 'spherical'; got ${String(covarianceType)}`);
  const priorType = options.weightConcentrationPriorType ?? 'dirichlet_process';
  if (priorType !== 'dirichlet_process' && priorType !== 'dirichlet_distribution')
    throw new RangeError(`weightConcentrationPriorType must be 'dirichlet_process' or 'dirichlet_distribution'; got ${String(priorType)}`);

  const regularization = options.regularization ?? 1e-6;
  if (!(regularization >= 0 && Number.isFinite(regularization))) throw new RangeError(`regularization must be a finite number ≥ 0; got ${regularization}`);
  const tolerance = options.tolerance ?? 1e-3;
  if (!(tolerance >= 0)) throw new RangeError(`tolerance must be ≥ 0; got ${tolerance}`);
  const maxIterations = options.maxIterations ?? 100;
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new RangeError(`maxIterations must be a whole number ≥ 0; got ${maxIterations}`);
  const effectiveWeightThreshold = options.effectiveWeightThreshold ?? DEFAULT_EFFECTIVE_WEIGHT_THRESHOLD;
  if (!(effectiveWeightThreshold >= 0 && effectiveWeightThreshold < 1))
    throw new RangeError(`effectiveWeightThreshold must be in [0, 1); got ${effectiveWeightThreshold}`);

  const z = options.startResponsibilities;
  if (!(z instanceof Float64Array) || z.length !== n * k)
    throw new RangeError(`startResponsibilities must be n × K = ${n} × ${k} values; got ${z?.length}`);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const r = z[i * k + c];
      if (!(r >= 0 && r <= 1)) throw new RangeError(`startResponsibilities must lie in [0, 1]; row ${i + 1}, component ${c + 1} is ${r}`);
      sum += r;
    }
    if (Math.abs(sum - 1) > 1e-6) throw new RangeError(`startResponsibilities rows must sum to 1; row ${i + 1} sums to ${sum}`);
  }

  const weightConcentrationPrior = positive(options.weightConcentrationPrior, 1 / k, 'weightConcentrationPrior');
  const meanPrecisionPrior = positive(options.meanPrecisionPrior, 1, 'meanPrecisionPrior');
  const degreesOfFreedomPrior = options.degreesOfFreedomPrior ?? d;
  if (!(degreesOfFreedomPrior > d - 1 && Number.isFinite(degreesOfFreedomPrior)))
    throw new RangeError(`degreesOfFreedomPrior must be greater than d − 1 = ${d - 1}; got ${degreesOfFreedomPrior}`);

  const columnMean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) columnMean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) columnMean[j] /= n;
  let meanPrior: Float64Array;
  if (options.meanPrior === undefined) meanPrior = columnMean;
  else {
    if (options.meanPrior.length !== d) throw new RangeError(`meanPrior must have d = ${d} values; got ${options.meanPrior.length}`);
    meanPrior = Float64Array.from(options.meanPrior);
    if (!meanPrior.every(Number.isFinite)) throw new RangeError('meanPrior must be finite');
  }

  let covariancePrior: Float64Array;
  const given = options.covariancePrior;
  if (given === undefined) {
    // numpy's cov(X.T): divisor n − 1.
    const full = new Float64Array(d * d);
    for (let i = 0; i < n; i++)
      for (let a = 0; a < d; a++) {
        const ea = x[i * d + a] - columnMean[a];
        for (let b = 0; b <= a; b++) full[a * d + b] += ea * (x[i * d + b] - columnMean[b]);
      }
    for (let a = 0; a < d; a++)
      for (let b = 0; b <= a; b++) {
        full[a * d + b] /= n - 1;
        full[b * d + a] = full[a * d + b];
      }
    if (covarianceType === 'full' || covarianceType === 'tied') covariancePrior = full;
    else if (covarianceType === 'diag') covariancePrior = Float64Array.from({ length: d }, (_, j) => full[j * d + j]);
    else {
      let m = 0;
      for (let j = 0; j < d; j++) m += full[j * d + j];
      covariancePrior = Float64Array.of(m / d);
    }
  } else if (covarianceType === 'full' || covarianceType === 'tied') {
    if (typeof given === 'number' || given.length !== d * d)
      throw new RangeError(`covariancePrior for '${covarianceType}' must be a d × d = ${d} × ${d} matrix (row-major); got ${typeof given === 'number' ? 'a number' : `${given.length} values`}`);
    covariancePrior = Float64Array.from(given);
    for (let a = 0; a < d; a++)
      for (let b = 0; b < a; b++) {
        const u = covariancePrior[a * d + b];
        const v = covariancePrior[b * d + a];
        if (!(Math.abs(u - v) <= 1e-10 * Math.max(Math.abs(u), Math.abs(v), 1))) throw new RangeError('covariancePrior must be symmetric');
      }
    const check = Float64Array.from(covariancePrior);
    if (!choleskyInPlace(check, d, 0)) throw new RangeError('covariancePrior must be positive definite');
  } else if (covarianceType === 'diag') {
    if (typeof given === 'number' || given.length !== d)
      throw new RangeError(`covariancePrior for 'diag' must be d = ${d} variances; got ${typeof given === 'number' ? 'a number' : `${given.length} values`}`);
    covariancePrior = Float64Array.from(given);
    if (!covariancePrior.every((v) => v > 0 && Number.isFinite(v))) throw new RangeError('covariancePrior variances must be finite and > 0');
  } else {
    const value = typeof given === 'number' ? given : given.length === 1 ? given[0] : Number.NaN;
    if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`covariancePrior for 'spherical' must be one finite number > 0; got ${String(given)}`);
    covariancePrior = Float64Array.of(value);
  }

  return {
    covarianceType,
    priorType,
    priors: { weightConcentrationPrior, meanPrecisionPrior, meanPrior, degreesOfFreedomPrior, covariancePrior },
    regularization,
    tolerance,
    maxIterations,
    effectiveWeightThreshold,
  };
}
