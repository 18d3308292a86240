// M-steps of mclust's 14 covariance models (and E / V for one column), as mclust 6's Fortran computes them: weights
// n_k / n, weighted means, and the covariances from the scatter matrices W_k = Σ_i z_ik (x_i − μ_k)(x_i − μ_k)ᵀ.
// Celeux & Govaert (1995) give the closed forms and the VEI / VEV alternations; Browne & McNicholas (2014) the
// majorisation–minimisation steps of EVE and VVE; VEE alternates the common shape-orientation C and the volumes.
// The iterative models keep state between M-steps exactly where mclust does (VEI, VEV, EVE, VVE start each M-step's
// inner loop from the previous one's result; VEE restarts its volumes at 1).

import { choleskyInPlace, solveLowerInPlace, solveLowerTransposeInPlace } from '../linalg';
import { orthogonalPolarFactor, PolarWarmStart, symmetricEigen } from './eigen';
import { diagonalScatter, fullScatter, mirrorLowerTriangles, twoColumnScatter, weightedMeans } from './scatter';
import { isUnivariateModel, type MclustModelName } from './models';

/** Why an M-step could not produce a usable model (mclust reports the fit as missing, its loglik NA). */
export type MStepFailure = 'empty-component' | 'singular';

export interface MStepControl {
  /** Relative tolerance of the inner iterations (mclust's `tol[2]`, default √ε). */
  innerTolerance: number;
  /** Most inner iterations per M-step (mclust's `itmax[2]`, default .Machine$integer.max). */
  innerMaxIterations: number;
  /** mclust's `eps` (default machine ε): components with Σ z below √eps are empty, variances below eps singular. */
  eps: number;
  /** Added to every covariance's diagonal after the M-step (scikit-learn's reg_covar); 0 = mclust. */
  regularization: number;
}

export const DEFAULT_MSTEP_CONTROL: MStepControl = {
  innerTolerance: Math.sqrt(Number.EPSILON),
  innerMaxIterations: 2147483647,
  eps: Number.EPSILON,
  regularization: 0,
};

/**
 * Parameters and scratch of one model fitted to n × d data with K components. `covariances` always holds the full
 * K × d × d matrices Σ_k (row-major), whatever the model, so that the E-step is one Cholesky-based code path.
 */
export class MclustState {
  readonly weights: Float64Array;
  readonly means: Float64Array;
  readonly covariances: Float64Array;
  /** Σ_i z_ik per component. */
  readonly sizes: Float64Array;
  /** Scatter matrices W_k, K × d × d (only their diagonals for the diagonal models, which use nothing else). */
  readonly scatter: Float64Array;
  /** Volumes λ_k (one used when equal). Carried between M-steps by VEI and VEV. */
  readonly scale: Float64Array;
  /** Shapes A_k as K × d diagonals (det 1), or A in the first d entries when the shape is common. */
  readonly shape: Float64Array;
  /** Common orientation (EVE, VVE): rows are the axes. */
  readonly orientation: Float64Array;
  /** Inner iterations of the last M-step (0 for the closed-form models). */
  innerIterations = 0;
  private mSteps = 0;
  private readonly eigenValues: Float64Array;
  private readonly eigenVectors: Float64Array;
  private readonly largestEigenvalue: Float64Array;
  private readonly m1: Float64Array;
  private readonly m2: Float64Array;
  private readonly m3: Float64Array;
  private readonly m4: Float64Array;
  private readonly centered: Float64Array;
  private readonly previous: Float64Array;
  /** D W_k for EVE and VVE's inner iterations, K × d × d. */
  private readonly orientedProducts: Float64Array;
  /** Warm starts of the two polar factors of each inner iteration (EVE, VVE). */
  private readonly polarStarts: [PolarWarmStart, PolarWarmStart];
  /** True for the models whose covariances are diagonal (EII … VVI, E, V). */
  private readonly diagonalModel: boolean;
  /** Per component, views of eigenValues and eigenVectors (made once: the M-step allocates nothing). */
  private readonly componentValues: Float64Array[];
  private readonly componentVectors: Float64Array[];

  constructor(
    readonly model: MclustModelName,
    readonly d: number,
    readonly k: number,
  ) {
    if (isUnivariateModel(model) !== (d === 1)) {
      throw new RangeError(`mclust model ${model} ${d === 1 ? 'needs two or more columns' : 'is for one column'}; the data have ${d}`);
    }
    this.weights = new Float64Array(k);
    this.means = new Float64Array(k * d);
    this.covariances = new Float64Array(k * d * d);
    this.sizes = new Float64Array(k);
    this.scatter = new Float64Array(k * d * d);
    this.scale = new Float64Array(k).fill(1);
    this.shape = new Float64Array(k * d).fill(1);
    this.orientation = new Float64Array(d * d);
    for (let j = 0; j < d; j++) this.orientation[j * d + j] = 1;
    this.eigenValues = new Float64Array(k * d);
    this.eigenVectors = new Float64Array(k * d * d);
    this.largestEigenvalue = new Float64Array(k);
    this.m1 = new Float64Array(d * d);
    this.m2 = new Float64Array(d * d);
    this.m3 = new Float64Array(d * d);
    this.m4 = new Float64Array(d * d);
    this.centered = new Float64Array(d);
    this.previous = new Float64Array(k + k * d);
    this.orientedProducts = new Float64Array(model === 'EVE' || model === 'VVE' ? k * d * d : 0);
    this.polarStarts = [new PolarWarmStart(d), new PolarWarmStart(d)];
    this.diagonalModel = model === 'E' || model === 'V' || model.endsWith('I');
    this.componentValues = Array.from({ length: k }, (_, c) => this.eigenValues.subarray(c * d, (c + 1) * d));
    this.componentVectors = Array.from({ length: k }, (_, c) => this.eigenVectors.subarray(c * d * d, (c + 1) * d * d));
  }

  /**
   * One M-step from the n × K responsibilities z. Returns undefined on success, or why the model cannot be formed
   * (a component with Σ z ≤ √eps, or a covariance singular at mclust's thresholds).
   */
  mStep(x: Float64Array, n: number, z: Float64Array, control: MStepControl = DEFAULT_MSTEP_CONTROL, total = n): MStepFailure | undefined {
    this.mSteps++;
    this.innerIterations = 0;
    const rootEps = Math.sqrt(control.eps);
    if (!this.meansAndScatter(x, n, z, rootEps, total)) return 'empty-component';
    return this.finishStep(total, control);
  }

  /**
   * The M-step from sufficient statistics computed elsewhere (the missing-data E-step's completed scatter):
   * sizes Σ_i z_ik, means and the K full scatter matrices W_k, with `total` = Σ_ik z_ik (n, or Σ w_i).
   */
  mStepFromScatter(sizes: Float64Array, means: Float64Array, scatter: Float64Array, total: number, control: MStepControl = DEFAULT_MSTEP_CONTROL): MStepFailure | undefined {
    this.mSteps++;
    this.innerIterations = 0;
    const rootEps = Math.sqrt(control.eps);
    this.sizes.set(sizes);
    this.means.set(means);
    this.scatter.set(scatter);
    for (let c = 0; c < this.k; c++) {
      this.weights[c] = sizes[c] / total;
      if (!(sizes[c] > rootEps)) return 'empty-component';
    }
    return this.finishStep(total, control);
  }

  private finishStep(total: number, control: MStepControl): MStepFailure | undefined {
    const { d, k } = this;
    const failure = this.covarianceStep(total, control);
    if (failure) return failure;
    if (control.regularization > 0) {
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) this.covariances[c * d * d + j * d + j] += control.regularization;
    }
    return undefined;
  }

  // Each kind of scatter (diagonal, two columns, full) is its own function: V8 optimises a function for the branches
  // it has seen, and one shared by the 14 models would leave its hot loop to the interpreter for the others.
  private meansAndScatter(x: Float64Array, n: number, z: Float64Array, rootEps: number, total: number): boolean {
    const { d, k, means, scatter, sizes, weights } = this;
    if (!weightedMeans(x, n, d, k, z, means, sizes, weights, rootEps, total)) return false;
    scatter.fill(0);
    if (this.diagonalModel) diagonalScatter(x, n, d, k, z, means, scatter);
    else if (d === 2) twoColumnScatter(x, n, k, z, means, scatter);
    else fullScatter(x, n, d, k, z, means, scatter);
    if (!this.diagonalModel) mirrorLowerTriangles(scatter, d, k);
    return true;
  }

  private covarianceStep(n: number, control: MStepControl): MStepFailure | undefined {
    const { d, k, scatter, sizes, covariances } = this;
    const dd = d * d;
    // A variance the ridge lifts above eps is usable (scikit-learn's reg_covar); the other models need spread first.
    const varianceFloor = control.eps - control.regularization;
    covariances.fill(0);
    switch (this.model) {
      case 'E':
      case 'EII': {
        let trace = 0;
        for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) trace += scatter[c * dd + j * d + j];
        const variance = trace / (n * d);
        if (!(variance > varianceFloor)) return 'singular';
        for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) covariances[c * dd + j * d + j] = variance;
        return undefined;
      }
      case 'V':
      case 'VII': {
        for (let c = 0; c < k; c++) {
          let trace = 0;
          for (let j = 0; j < d; j++) trace += scatter[c * dd + j * d + j];
          const variance = trace / (sizes[c] * d);
          if (!(variance > varianceFloor)) return 'singular';
          for (let j = 0; j < d; j++) covariances[c * dd + j * d + j] = variance;
        }
        return undefined;
      }
      case 'EEI': {
        for (let j = 0; j < d; j++) {
          let sum = 0;
          for (let c = 0; c < k; c++) sum += scatter[c * dd + j * d + j];
          const variance = sum / n;
          if (!(variance > varianceFloor)) return 'singular';
          for (let c = 0; c < k; c++) covariances[c * dd + j * d + j] = variance;
        }
        return undefined;
      }
      case 'VVI': {
        for (let c = 0; c < k; c++) {
          for (let j = 0; j < d; j++) {
            const variance = scatter[c * dd + j * d + j] / sizes[c];
            if (!(variance > varianceFloor)) return 'singular';
            covariances[c * dd + j * d + j] = variance;
          }
        }
        return undefined;
      }
      case 'EVI':
        return this.stepEVI(n, control);
      case 'VEI':
        return this.stepVEI(control);
      case 'EEE': {
        for (let c = 0; c < k; c++) for (let e = 0; e < dd; e++) covariances[e] += scatter[c * dd + e];
        for (let e = 0; e < dd; e++) covariances[e] /= n;
        for (let c = 1; c < k; c++) covariances.copyWithin(c * dd, 0, dd);
        return undefined;
      }
      case 'VVV': {
        for (let c = 0; c < k; c++) for (let e = 0; e < dd; e++) covariances[c * dd + e] = scatter[c * dd + e] / sizes[c];
        return undefined;
      }
      case 'EEV':
        return this.stepEEV(n, control);
      case 'VEV':
        return this.stepVEV(n, control);
      case 'EVV':
        return this.stepEVV(n, control);
      case 'VEE':
        return this.stepVEE(control);
      case 'EVE':
      case 'VVE':
        return this.stepCommonOrientation(n, control);
    }
  }

  /** EVI: A_k = diag(W_k) / det(diag W_k)^{1/d}, λ = Σ_k det(diag W_k)^{1/d} / n. */
  private stepEVI(n: number, control: MStepControl): MStepFailure | undefined {
    const { d, k, scatter, shape, covariances } = this;
    const dd = d * d;
    let volume = 0;
    for (let c = 0; c < k; c++) {
      let logSum = 0;
      for (let j = 0; j < d; j++) {
        const w = scatter[c * dd + j * d + j];
        if (!(w > 0)) return 'singular';
        logSum += Math.log(w);
      }
      const geometricMean = Math.exp(logSum / d);
      volume += geometricMean;
      for (let j = 0; j < d; j++) shape[c * d + j] = scatter[c * dd + j * d + j] / geometricMean;
    }
    volume /= n;
    if (!(volume > control.eps)) return 'singular';
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        if (!(shape[c * d + j] > control.eps)) return 'singular';
        covariances[c * dd + j * d + j] = volume * shape[c * d + j];
      }
    }
    return undefined;
  }

  /** VEI (mclust's mevei): alternate λ_k = Σ_j w_jk / A_j / (d n_k) and A ∝ Σ_k w_jk / λ_k, warm-started. */
  private stepVEI(control: MStepControl): MStepFailure | undefined {
    const { d, k, scatter, sizes, scale, shape, covariances, previous } = this;
    const dd = d * d;
    let change = Infinity;
    do {
      if (!(minimum(shape, 0, d) > control.eps)) return 'singular';
      this.innerIterations++;
      for (let c = 0; c < k; c++) previous[c] = scale[c];
      for (let j = 0; j < d; j++) previous[k + j] = shape[j];
      for (let c = 0; c < k; c++) {
        let sum = 0;
        for (let j = 0; j < d; j++) sum += scatter[c * dd + j * d + j] / shape[j];
        scale[c] = sum / (sizes[c] * d);
      }
      if (!(minimum(scale, 0, k) > control.eps)) return 'singular';
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let c = 0; c < k; c++) sum += scatter[c * dd + j * d + j] / scale[c];
        shape[j] = sum;
      }
      if (!normalizeToUnitDeterminant(shape, 0, d, control.eps)) return 'singular';
      change = 0;
      for (let c = 0; c < k; c++) change = Math.max(change, Math.abs(previous[c] - scale[c]) / (1 + scale[c]));
      for (let j = 0; j < d; j++) change = Math.max(change, Math.abs(previous[k + j] - shape[j]) / (1 + shape[j]));
    } while (change > control.innerTolerance && this.innerIterations <= control.innerMaxIterations);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) covariances[c * dd + j * d + j] = scale[c] * shape[j];
    return undefined;
  }

  /** Eigen-decomposition of every W_k: eigenvalues (decreasing) in eigenValues, axes as rows of eigenVectors. */
  private decomposeScatter(): void {
    const { d, k } = this;
    for (let c = 0; c < k; c++) symmetricEigen(this.scatter, d, this.componentValues[c], this.componentVectors[c], this.m1, c * d * d);
  }

  /** Σ_k = Σ_j scale · values_j v_j v_jᵀ for the rows v_j of `axes` (at axesOffset). */
  private composeCovariance(c: number, scale: number, values: Float64Array, valuesOffset: number, axes: Float64Array, axesOffset: number): void {
    const { d, covariances } = this;
    const base = c * d * d;
    for (let r = 0; r < d; r++) {
      for (let s = 0; s <= r; s++) {
        let sum = 0;
        for (let j = 0; j < d; j++) sum += values[valuesOffset + j] * axes[axesOffset + j * d + r] * axes[axesOffset + j * d + s];
        covariances[base + r * d + s] = scale * sum;
        covariances[base + s * d + r] = scale * sum;
      }
    }
  }

  /** EEV (mclust's meeev): D_k from W_k's eigenvectors, A ∝ Σ_k Ω_k, λ = det(Σ_k Ω_k)^{1/d} / n. */
  private stepEEV(n: number, control: MStepControl): MStepFailure | undefined {
    const { d, k, eigenValues, shape } = this;
    this.decomposeScatter();
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let c = 0; c < k; c++) sum += eigenValues[c * d + j];
      shape[j] = sum;
    }
    const geometricMean = geometricMeanOf(shape, 0, d);
    if (!(geometricMean > control.eps)) return 'singular';
    for (let j = 0; j < d; j++) shape[j] /= geometricMean;
    if (!(minimum(shape, 0, d) > control.eps)) return 'singular';
    const volume = geometricMean / n;
    for (let c = 0; c < k; c++) this.composeCovariance(c, volume, shape, 0, this.eigenVectors, c * d * d);
    return undefined;
  }

  /**
   * VEV (mclust's mevev): D_k from W_k's eigenvectors; λ_k and the common shape A alternate as in VEI on the
   * eigenvalues Ω_k, warm-started from the previous M-step (the first from A ∝ Σ_k Ω_k, λ_k = det^{1/d} / n).
   */
  private stepVEV(n: number, control: MStepControl): MStepFailure | undefined {
    const { d, k, eigenValues, sizes, scale, shape, previous } = this;
    this.decomposeScatter();
    if (this.mSteps === 1) {
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let c = 0; c < k; c++) sum += eigenValues[c * d + j];
        shape[j] = sum;
      }
      if (!(minimum(shape, 0, d) > 0)) return 'singular';
      const geometricMean = geometricMeanOf(shape, 0, d);
      if (!(geometricMean > control.eps)) return 'singular';
      for (let c = 0; c < k; c++) scale[c] = geometricMean / n;
      for (let j = 0; j < d; j++) shape[j] /= geometricMean;
    }
    let change = 0;
    do {
      for (let j = 0; j < d; j++) previous[j] = shape[j];
      for (let c = 0; c < k; c++) previous[d + c] = scale[c];
      // The new λ_k use the previous shape; the new shape uses the new λ_k (mclust's order).
      for (let c = 0; c < k; c++) {
        let sum = 0;
        for (let j = 0; j < d; j++) sum += eigenValues[c * d + j] / previous[j];
        scale[c] = sum / (sizes[c] * d);
        if (!(scale[c] > control.eps)) return 'singular';
      }
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let c = 0; c < k; c++) sum += eigenValues[c * d + j] / scale[c];
        shape[j] = sum;
      }
      this.innerIterations++;
      if (!(minimum(shape, 0, d) > 0)) return 'singular';
      if (!normalizeToUnitDeterminant(shape, 0, d, control.eps)) return 'singular';
      change = 0;
      for (let j = 0; j < d; j++) change = Math.max(change, Math.abs(previous[j] - shape[j]) / (1 + shape[j]));
      for (let c = 0; c < k; c++) change = Math.max(change, Math.abs(scale[c] - previous[d + c]) / (1 + scale[c]));
    } while (change >= control.innerTolerance && this.innerIterations < control.innerMaxIterations);
    if (!(minimum(shape, 0, d) > control.eps) || !(minimum(scale, 0, k) > control.eps)) return 'singular';
    if (!(Math.sqrt(minimum(shape, 0, d)) > Math.sqrt(control.eps))) return 'singular';
    for (let c = 0; c < k; c++) this.composeCovariance(c, scale[c], shape, 0, this.eigenVectors, c * d * d);
    return undefined;
  }

  /** EVV (mclust's meevv): Σ_k = λ W_k / det(W_k)^{1/d} with λ = Σ_k det(W_k)^{1/d} / n. */
  private stepEVV(n: number, control: MStepControl): MStepFailure | undefined {
    const { d, k, eigenValues, scale, shape, covariances, scatter } = this;
    const dd = d * d;
    const rootEps = Math.sqrt(control.eps);
    this.decomposeScatter();
    let volume = 0;
    for (let c = 0; c < k; c++) {
      const geometricMean = geometricMeanOf(eigenValues, c * d, d);
      scale[c] = geometricMean;
      volume += geometricMean;
      for (let j = 0; j < d; j++) shape[c * d + j] = eigenValues[c * d + j] / geometricMean;
    }
    volume /= n;
    if (!(minimum(shape, 0, k * d) > rootEps) || !(volume > rootEps)) return 'singular';
    for (let c = 0; c < k; c++) for (let e = 0; e < dd; e++) covariances[c * dd + e] = (volume * scatter[c * dd + e]) / scale[c];
    return undefined;
  }

  /** VEE (mclust's mevee): from λ_k = 1, alternate C ∝ Σ_k W_k / λ_k (det 1) and λ_k = tr(W_k C⁻¹) / (d n_k). */
  private stepVEE(control: MStepControl): MStepFailure | undefined {
    const { d, k, scatter, sizes, scale, covariances, eigenValues, m1, m2, m3, centered } = this;
    const dd = d * d;
    const rootEps = Math.sqrt(control.eps);
    for (let c = 0; c < k; c++) {
      for (let e = 0; e < dd; e++) m1[e] = scatter[c * dd + e];
      if (!choleskyInPlace(m1, d)) return 'singular';
    }
    scale.fill(1);
    let previousTarget = Number.MAX_VALUE / 2;
    let change = Infinity;
    let smallestShape = 0;
    do {
      this.innerIterations++;
      // m2 = C = Σ_k W_k / λ_k, normalised to det 1 by its eigenvalues' geometric mean.
      m2.fill(0);
      for (let c = 0; c < k; c++) for (let e = 0; e < dd; e++) m2[e] += scatter[c * dd + e] / scale[c];
      symmetricEigen(m2, d, eigenValues, m3, m1);
      const geometricMean = geometricMeanOf(eigenValues, 0, d);
      for (let e = 0; e < dd; e++) m2[e] /= geometricMean;
      smallestShape = minimum(eigenValues, 0, d) / geometricMean;
      // m3 = C⁻¹, column by column through C's Cholesky factor (m1).
      for (let e = 0; e < dd; e++) m1[e] = m2[e];
      if (!choleskyInPlace(m1, d)) return 'singular';
      for (let col = 0; col < d; col++) {
        centered.fill(0);
        centered[col] = 1;
        solveLowerInPlace(m1, d, centered);
        solveLowerTransposeInPlace(m1, d, centered);
        for (let r = 0; r < d; r++) m3[r * d + col] = centered[r];
      }
      let target = 0;
      for (let c = 0; c < k; c++) {
        let traceProduct = 0;
        for (let r = 0; r < d; r++) for (let s = 0; s < d; s++) traceProduct += scatter[c * dd + r * d + s] * m3[s * d + r];
        scale[c] = traceProduct / (d * sizes[c]);
        target += sizes[c] * d + d * Math.log(scale[c]) * sizes[c];
      }
      change = Math.abs(target - previousTarget) / (1 + Math.abs(target));
      previousTarget = target;
    } while (change > control.innerTolerance && this.innerIterations < control.innerMaxIterations);
    if (!(smallestShape > rootEps) || !(minimum(scale, 0, k) > rootEps)) return 'singular';
    for (let c = 0; c < k; c++) for (let e = 0; e < dd; e++) covariances[c * dd + e] = scale[c] * m2[e];
    return undefined;
  }

  /**
   * EVE and VVE (mclust's meeve / mevve; Browne & McNicholas 2014): the common orientation D by two
   * majorisation–minimisation updates per inner iteration (each the orthogonal polar factor of a sum over
   * components), then the shapes A_k = diag(D W_k Dᵀ) normalised to det 1 and the volume(s). D and A_k are carried
   * from one M-step to the next, from D = I and A_k = I.
   */
  private stepCommonOrientation(n: number, control: MStepControl): MStepFailure | undefined {
    const { d, k, scatter, scale, shape, orientation, eigenValues, largestEigenvalue, m1, m2 } = this;
    const dd = d * d;
    const rootEps = Math.sqrt(control.eps);
    const variableVolume = this.model === 'VVE';
    for (let c = 0; c < k; c++) {
      symmetricEigen(scatter, d, eigenValues, m2, m1, c * dd);
      if (minimum(eigenValues, 0, d) < rootEps) return 'singular';
      largestEigenvalue[c] = eigenValues[0];
    }
    orientedScatter(orientation, scatter, d, k, this.orientedProducts);
    let previousTarget = Number.MAX_VALUE / 2;
    let change = Infinity;
    let target = 0;
    // The loop only calls: its body (orientationIteration) is optimised as a function, not by on-stack replacement,
    // whose code would be thrown away at every loop exit for the statements after the loop.
    do {
      this.innerIterations++;
      target = this.orientationIteration(rootEps, variableVolume);
      if (Number.isNaN(target)) return 'singular';
      change = Math.abs(target - previousTarget) / (1 + Math.abs(target));
      previousTarget = target;
    } while (change > control.innerTolerance && this.innerIterations < control.innerMaxIterations);
    const commonVolume = target / (n * d);
    for (let c = 0; c < k; c++) {
      const own = scale[c];
      scale[c] = variableVolume ? own : commonVolume;
      this.composeCovariance(c, scale[c], shape, c * d, orientation, 0);
    }
    return undefined;
  }

  /**
   * One inner iteration of EVE / VVE: two orientation updates, then the shapes (and VVE's volumes). Returns the
   * target Σ_k Σ_j diag_j / a_jk, or NaN when a shape (or VVE's volume) is singular. On entry orientedProducts holds
   * D W_k for the current D; on return, for the new one (the next iteration's first update starts from them).
   */
  private orientationIteration(rootEps: number, variableVolume: boolean): number {
    const { d, k, scatter, sizes, scale, shape, orientation, largestEigenvalue, m1, m2, m3, m4, orientedProducts } = this;
    const dd = d * d;
    // F = Σ_k diag(1/a_k) D (W_k − ω_k I); D ← polar(F)ᵀ.
    m3.fill(0);
    for (let c = 0; c < k; c++) {
      const omega = largestEigenvalue[c];
      for (let j = 0; j < d; j++) {
        const inverseShape = 1 / shape[c * d + j];
        for (let l = 0; l < d; l++) m3[j * d + l] += inverseShape * (orientedProducts[c * dd + j * d + l] - omega * orientation[j * d + l]);
      }
    }
    orthogonalPolarFactor(m3, d, m4, m1, m2, this.polarStarts[0]);
    transposeInto(m4, d, orientation);
    // G = Σ_k W_k Dᵀ... as mclust: with M = W_k O, G = Σ_k M diag(1/a_k) − max_j(1/a_jk) M; D ← polar(G)ᵀ.
    m3.fill(0);
    for (let c = 0; c < k; c++) {
      let largestInverse = 0;
      for (let j = 0; j < d; j++) largestInverse = Math.max(largestInverse, 1 / shape[c * d + j]);
      for (let r = 0; r < d; r++) {
        for (let j = 0; j < d; j++) {
          let product = 0;
          for (let m = 0; m < d; m++) product += scatter[c * dd + r * d + m] * orientation[m * d + j];
          m3[r * d + j] += product / shape[c * d + j] - largestInverse * product;
        }
      }
    }
    orthogonalPolarFactor(m3, d, m4, m1, m2, this.polarStarts[1]);
    transposeInto(m4, d, orientation);
    // Shapes (and VVE's volumes) from diag(D W_k Dᵀ); the target is Σ_k Σ_j diag_j / a_jk.
    orientedScatter(orientation, scatter, d, k, orientedProducts);
    let target = 0;
    for (let c = 0; c < k; c++) {
      // x / 1 is x: EVE and VVE run the same operations (V8 optimises for the paths it has seen run).
      const size = sizes[c];
      const divisor = variableVolume ? size : 1;
      for (let j = 0; j < d; j++) {
        let value = 0;
        for (let m = 0; m < d; m++) value += orientedProducts[c * dd + j * d + m] * orientation[j * d + m];
        m1[j] = value;
        shape[c * d + j] = value / divisor;
      }
      const geometricMean = geometricMeanOf(shape, c * d, d);
      scale[c] = geometricMean;
      const smallVolume = geometricMean < rootEps;
      for (let j = 0; j < d; j++) shape[c * d + j] /= geometricMean;
      if (minimum(shape, c * d, d) < rootEps || (variableVolume && smallVolume)) return NaN;
      for (let j = 0; j < d; j++) target += m1[j] / shape[c * d + j];
    }
    return target;
  }
}

function minimum(values: Float64Array, offset: number, length: number): number {
  let m = Infinity;
  for (let i = 0; i < length; i++) m = Math.min(m, values[offset + i]);
  return m;
}

function geometricMeanOf(values: Float64Array, offset: number, length: number): number {
  let logSum = 0;
  for (let i = 0; i < length; i++) logSum += Math.log(values[offset + i]);
  return Math.exp(logSum / length);
}

/** Divides values[offset .. offset + length) by their geometric mean; false when that mean is at or below eps. */
function normalizeToUnitDeterminant(values: Float64Array, offset: number, length: number, eps: number): boolean {
  const geometricMean = geometricMeanOf(values, offset, length);
  if (!(geometricMean > eps) || !Number.isFinite(geometricMean)) return false;
  for (let i = 0; i < length; i++) values[offset + i] /= geometricMean;
  return true;
}

/** products_k = D W_k (K × d × d), each entry Σ_l D_jl W_k,lm summed in l order. */
function orientedScatter(orientation: Float64Array, scatter: Float64Array, d: number, k: number, products: Float64Array): void {
  const dd = d * d;
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      for (let m = 0; m < d; m++) {
        let product = 0;
        for (let l = 0; l < d; l++) product += orientation[j * d + l] * scatter[c * dd + l * d + m];
        products[c * dd + j * d + m] = product;
      }
    }
  }
}

function transposeInto(source: Float64Array, d: number, target: Float64Array): void {
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) target[c * d + r] = source[r * d + c];
}
