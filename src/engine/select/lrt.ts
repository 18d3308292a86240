// mclust's bootstrap likelihood-ratio test for the number of components (R's mclustBootstrapLRT). For K0 = 1, 2, …
// it fits K0 and K0 + 1 components of one covariance model as Mclust() does (the hierarchical-clustering start, then
// EM), LRTS = 2 (ℓ_{K0+1} − ℓ_{K0}); then `nboot` samples of n rows are drawn from the fitted K0-component mixture,
// both models are refitted to each sample by EM started from the parameters fitted to the data (mclust's em()), and
// the p-value is (1 + #{bootstrap LRTS ≥ observed}) / (nboot + 1). It stops at the first K0 whose p-value exceeds
// `level`: K0 components are enough. A sample on which either refit fails is drawn again, as mclust does; the step
// counts them. Deterministic for a seed (the draws use the project's Rng, so they differ from R's for any seed).

import { FitError, OptionsError } from '../errors';
import { Rng } from '../em/rng';
import { EStepWorkspace, factorCovariances, mclustEStep } from '../families/gaussian/mclust/estep';
import { meFromResponsibilities, type MeResult } from '../families/gaussian/mclust/me';
import { isMclustModelName, isUnivariateModel, type MclustModelName } from '../families/gaussian/mclust/models';
import { defaultStartingPartitions } from './starts';
import { fitCell, SWEEP_DEFAULTS, type StartingPartitions } from './sweep';

export interface BootstrapLrtOptions {
  /** The covariance model tested (mclust's modelName). */
  model: MclustModelName;
  /** The largest number of components fitted: tests run up to maxK − 1 vs maxK; default 9 (mclust's G = 1:9). */
  maxK?: number;
  /** Bootstrap samples per test; default 999 (mclust's). */
  nboot?: number;
  /** The procedure stops at the first test whose p-value exceeds it; default 0.05. */
  level?: number;
  /** False: run every test up to maxK − 1 vs maxK even past the chosen K (mclustBootstrapLRT given maxG); default true. */
  stopAtLevel?: boolean;
  /** Seed of the bootstrap draws; default 0. */
  seed?: number;
  /** EM's relative log-likelihood change at which it stops (mclust's tol[1]); default 1e-5. */
  tolerance?: number;
  /** Most EM iterations per fit; default 100000. */
  maxIterations?: number;
  /** The starting partitions of the fits to the data; default as Mclust(). */
  starts?: StartingPartitions;
  /** Sees every finished test, and the bootstrap's progress within a test (`done` of `nboot` samples). */
  onStep?: (progress: { k0: number; done: number; nboot: number; step?: LrtStep }) => void;
}

export interface LrtStep {
  k0: number;
  k1: number;
  /** Log-likelihoods of the K0- and K1-component fits to the data. */
  logLikelihood0: number;
  logLikelihood1: number;
  /** 2 (ℓ_{K1} − ℓ_{K0}); it can be negative when the K1 fit stops at a worse local maximum. */
  lrts: number;
  /** (1 + #{bootstrap LRTS ≥ lrts}) / (nboot + 1). */
  pValue: number;
  /** The nboot bootstrap statistics, in the order drawn. */
  bootstrap: number[];
  /** Samples drawn again because a refit failed (a singular covariance, an emptied component). */
  failedSamples: number;
}

export interface BootstrapLrtResult {
  model: MclustModelName;
  n: number;
  d: number;
  nboot: number;
  level: number;
  seed: number;
  steps: LrtStep[];
  /** The first K0 whose p-value exceeds the level; maxK when every test up to it rejects. */
  chosenK: number;
  /** Why the procedure ended. */
  stopped: 'p-value above level' | 'max-k' | 'fit failed';
  /** Said when the result needs a caveat (the largest K reached, a fit that failed). */
  note?: string;
}

export const LRT_DEFAULTS = { maxK: 9, nboot: 999, level: 0.05, seed: 0 } as const;

/** Samples on which refits fail before the test gives up (mclust redraws without limit). */
const MAX_FAILED_FACTOR = 10;

/** Runs mclust's bootstrap LRT for the number of components of `model` on the n × d row-major data x. */
export function bootstrapLrt(x: Float64Array, n: number, d: number, options: BootstrapLrtOptions): BootstrapLrtResult {
  const { model } = options;
  const maxK = options.maxK ?? LRT_DEFAULTS.maxK;
  const nboot = options.nboot ?? LRT_DEFAULTS.nboot;
  const level = options.level ?? LRT_DEFAULTS.level;
  const seed = options.seed ?? LRT_DEFAULTS.seed;
  const tolerance = options.tolerance ?? SWEEP_DEFAULTS.tolerance;
  const maxIterations = options.maxIterations ?? SWEEP_DEFAULTS.maxIterations;
  if (!(n >= 1) || !(d >= 1) || x.length !== n * d) throw new OptionsError(`data must be n × d = ${n} × ${d} values; got ${x.length}`);
  if (typeof model !== 'string' || !isMclustModelName(model)) throw new OptionsError(`the likelihood-ratio test needs one mclust covariance model (EII … VVV, or E / V for one column); got ${String(model)}`);
  if (isUnivariateModel(model) !== (d === 1)) throw new OptionsError(d === 1 ? `model ${model} needs two or more columns; one column takes E or V` : `model ${model} is for one column; ${d} columns take the 14 multivariate models`);
  if (!Number.isInteger(maxK) || maxK < 2) throw new OptionsError(`the largest K must be a whole number ≥ 2 (the first test is 1 vs 2 components); got ${maxK}`);
  if (maxK > n) throw new OptionsError(`the largest K (${maxK}) is more than the ${n} rows`);
  if (!Number.isInteger(nboot) || nboot < 1) throw new OptionsError(`the number of bootstrap samples must be a whole number ≥ 1; got ${nboot}`);
  if (!(level > 0 && level < 1)) throw new OptionsError(`the level must be between 0 and 1; got ${level}`);
  if (!Number.isInteger(seed)) throw new OptionsError(`the seed must be a whole number; got ${seed}`);
  if (!(tolerance >= 0)) throw new OptionsError(`tolerance must be ≥ 0; got ${tolerance}`);
  if (!(maxIterations >= 1)) throw new OptionsError(`maxIterations must be ≥ 1; got ${maxIterations}`);

  const settings = { tolerance, maxIterations, regularization: 0 };
  const ks = Array.from({ length: maxK }, (_, i) => i + 1);
  // As mclustBIC: one hierarchical clustering of the data, cut at every K.
  const partitions = (options.starts ?? defaultStartingPartitions)(x, n, d, ks);
  const fits: (MeResult | null)[] = new Array(maxK + 1).fill(null);
  const fitData = (k: number): MeResult | null => {
    if (fits[k] === null) {
      const { fit } = fitCell(x, n, d, k, model, partitions[k - 1], settings);
      fits[k] = fit && Number.isFinite(fit.logLikelihood) ? fit : null;
    }
    return fits[k];
  };

  const rng = new Rng(seed);
  const sample = new Float64Array(n * d);
  const steps: LrtStep[] = [];
  const result = (chosen: number, stopped: BootstrapLrtResult['stopped'], note?: string): BootstrapLrtResult => ({ model, n, d, nboot, level, seed, steps, chosenK: chosen, stopped, ...(note ? { note } : {}) });
  let chosenK: number | undefined;
  for (let k0 = 1; k0 < maxK; k0++) {
    const k1 = k0 + 1;
    const fit0 = fitData(k0);
    if (!fit0) {
      if (k0 === 1) throw new FitError(`model ${model} with one component cannot be fitted to these data (a singular covariance)`);
      if (chosenK !== undefined) break;
      return result(k0, 'fit failed', `model ${model} with ${k0} components cannot be fitted to these data, so the tests stop at ${k0 - 1} vs ${k0}`);
    }
    const fit1 = fitData(k1);
    if (!fit1 && chosenK !== undefined) break;
    if (!fit1) return result(k0, 'fit failed', `model ${model} with ${k1} components cannot be fitted to these data, so ${k1} is not tested`);
    const lrts = 2 * (fit1.logLikelihood - fit0.logLikelihood);
    const sampler = new MixtureSampler(fit0, d);
    const refit0 = new Refit(fit0, settings);
    const refit1 = new Refit(fit1, settings);
    const bootstrap: number[] = [];
    let failedSamples = 0;
    let atLeast = 0;
    while (bootstrap.length < nboot) {
      sampler.draw(rng, n, sample);
      const l0 = refit0.logLikelihood(sample);
      const l1 = Number.isFinite(l0) ? refit1.logLikelihood(sample) : NaN;
      const value = 2 * (l1 - l0);
      if (!Number.isFinite(value)) {
        failedSamples++;
        if (failedSamples > MAX_FAILED_FACTOR * nboot) {
          throw new FitError(`the bootstrap refits of ${k0} vs ${k1} components (model ${model}) failed on ${failedSamples} samples; the test cannot be run on these data`);
        }
        continue;
      }
      bootstrap.push(value);
      if (value >= lrts) atLeast++;
      if (options.onStep && bootstrap.length % 10 === 0) options.onStep({ k0, done: bootstrap.length, nboot });
    }
    const step: LrtStep = { k0, k1, logLikelihood0: fit0.logLikelihood, logLikelihood1: fit1.logLikelihood, lrts, pValue: (1 + atLeast) / (nboot + 1), bootstrap, failedSamples };
    steps.push(step);
    options.onStep?.({ k0, done: nboot, nboot, step });
    if (step.pValue > level && chosenK === undefined) chosenK = k0;
    if (chosenK !== undefined && options.stopAtLevel !== false) break;
  }
  if (chosenK !== undefined) return result(chosenK, 'p-value above level');
  return result(maxK, 'max-k', `every test up to ${maxK - 1} vs ${maxK} components rejected the smaller model: more components than ${maxK} may be needed (raise the largest K)`);
}

/** EM on a sample started from the parameters fitted to the data (mclust's em(): an E-step, then me()). */
class Refit {
  private readonly workspace: EStepWorkspace;
  private readonly z0: Float64Array;

  constructor(
    private readonly start: MeResult,
    private readonly settings: { tolerance: number; maxIterations: number; regularization: number },
  ) {
    this.workspace = new EStepWorkspace(start.d, start.k);
    // The fit's covariances were factored by its last E-step, so this cannot fail.
    if (!factorCovariances(start.covariances, this.workspace)) throw new FitError('the fitted covariances cannot be factored to start the bootstrap refits');
    this.z0 = new Float64Array(start.n * start.k);
  }

  /** The refit's log-likelihood, NaN when it fails (mclust: NA). */
  logLikelihood(sample: Float64Array): number {
    const { start, workspace, z0 } = this;
    mclustEStep(sample, start.n, start.weights, start.means, workspace, z0);
    return meFromResponsibilities(start.model, sample, start.n, start.d, z0, this.settings).logLikelihood;
  }
}

/** Draws rows from a fitted Gaussian mixture: a component by its weight, then μ + L ε with Σ = L Lᵀ, ε standard normal. */
class MixtureSampler {
  private readonly k: number;
  private readonly cumulative: Float64Array;
  private readonly means: Float64Array;
  private readonly factors: Float64Array;
  private readonly noise: Float64Array;

  constructor(
    fit: MeResult,
    private readonly d: number,
  ) {
    this.k = fit.k;
    this.cumulative = new Float64Array(fit.k);
    let total = 0;
    for (let c = 0; c < fit.k; c++) this.cumulative[c] = total += fit.weights[c];
    for (let c = 0; c < fit.k; c++) this.cumulative[c] /= total;
    this.means = Float64Array.from(fit.means);
    const workspace = new EStepWorkspace(d, fit.k);
    if (!factorCovariances(fit.covariances, workspace)) throw new FitError('the fitted covariances cannot be factored to draw bootstrap samples');
    this.factors = Float64Array.from(workspace.choleskyFactors);
    this.noise = new Float64Array(d);
  }

  draw(rng: Rng, n: number, out: Float64Array): void {
    const { d, k, cumulative, means, factors, noise } = this;
    const dd = d * d;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      let c = 0;
      while (c < k - 1 && u >= cumulative[c]) c++;
      for (let j = 0; j < d; j++) noise[j] = rng.normal();
      for (let r = 0; r < d; r++) {
        let value = means[c * d + r];
        for (let p = 0; p <= r; p++) value += factors[c * dd + r * d + p] * noise[p];
        out[i * d + r] = value;
      }
    }
  }
}
