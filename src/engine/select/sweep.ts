// Model selection as R's Mclust(): for every K and covariance model, EM (mclust's `me`) from one starting partition
// per K, scored by BIC and ICL in mclust's sign (2 ln L − p ln n, higher is better). Fits that fail (a singular
// covariance, an emptied component) or end with a degenerate component are NA in the table and never chosen.
// Deterministic: the same data, starts and options give the same table, serially or on workers (parallel.ts).

import { findMclustDegenerateComponents } from '../families/gaussian/mclust/degeneracy';
import { meFromResponsibilities, type MeResult, type MeStatus } from '../families/gaussian/mclust/me';
import { defaultMclustModels, isUnivariateModel, nMclustParams, type MclustModelName } from '../families/gaussian/mclust/models';
import { defaultStartingPartitions } from './starts';

/** One hard partition per K (classes 0..K−1, length n each), in the order of `ks`. */
export type StartingPartitions = (x: Float64Array, n: number, d: number, ks: readonly number[]) => Int32Array[];

export type SelectionCriterion = 'bic' | 'icl';

export interface SweepOptions {
  /** The numbers of components to try (R's G), each ≥ 1. */
  ks: readonly number[];
  /** Covariance models; default mclust's defaults for n × d (defaultMclustModels). */
  models?: readonly MclustModelName[];
  /** Relative log-likelihood change at which EM stops (mclust's tol[1]); default 1e-5. */
  tolerance?: number;
  /** Most EM iterations per cell; default 100000 (mclust: no limit in practice). */
  maxIterations?: number;
  /** Ridge added to every covariance's diagonal; default 0, as mclust. */
  regularization?: number;
  /** The starting partition of each K: a function of the data or the partitions themselves; default as Mclust(). */
  starts?: StartingPartitions | readonly Int32Array[];
  /** Column names, for the degenerate-component reasons. */
  columns?: readonly string[];
  /** Keep every fitted cell's parameters in its SweepCell. */
  keepParams?: boolean;
  /** Case (frequency) weights of the rows: every EM is weighted (the starting partitions are not). */
  caseWeights?: Float64Array;
}

/**
 * How a cell ended: EM's status, 'degenerate' (a component that cannot be estimated), 'too-few-rows' (K above n) or
 * 'no-start' (no starting partition with K classes, e.g. one column with K or fewer distinct values).
 */
export type CellStatus = MeStatus | 'degenerate' | 'too-few-rows' | 'no-start';

export interface SweepCell {
  k: number;
  model: MclustModelName;
  /** Final log-likelihood; null when the fit failed (mclust: NA). */
  logLikelihood: number | null;
  /** mclust's nMclustParams. */
  parameters: number;
  /** 2 ln L − p ln n (mclust's sign); null when NA. */
  bic: number | null;
  /** BIC + 2 Σ_i ln max_k z_ik (mclust's icl); null when NA. */
  icl: number | null;
  iterations: number;
  status: CellStatus;
  /** Why the fit is degenerate, one reason per component. */
  degenerate?: string[];
  /** The fitted parameters, when the settings ask for them (keepParams). */
  params?: { weights: number[]; means: number[][]; covariances: number[][][] };
}

/** The chosen cell with its fitted parameters. */
export interface BestFit {
  cell: SweepCell;
  weights: number[];
  /** K × d. */
  means: number[][];
  /** K × d × d. */
  covariances: number[][][];
  /** Most likely component of each row (0-based; the first on ties, as mclust's map). */
  assignments: number[];
}

export interface SweepResult {
  n: number;
  d: number;
  ks: number[];
  models: MclustModelName[];
  /** K-major: cells[i * models.length + j] is ks[i] with models[j]. */
  cells: SweepCell[];
  best: { bic: BestFit | null; icl: BestFit | null };
  /** The starting partition of each K (as ks; empty for a K above n or without a start). */
  partitions: Int32Array[];
}

/** Options with their defaults filled in and checked; what a worker needs to fit a cell. */
export interface CellSettings {
  tolerance: number;
  maxIterations: number;
  regularization: number;
  columns?: readonly string[];
  /** Keep every fitted cell's parameters in the cell (for small d: the panel can show any candidate). */
  keepParams?: boolean;
  caseWeights?: Float64Array;
}

export const SWEEP_DEFAULTS = { tolerance: 1e-5, maxIterations: 100000, regularization: 0 } as const;

/** The (K, model) cells of a sweep, K-major. */
export interface SweepPlan {
  n: number;
  d: number;
  ks: number[];
  models: MclustModelName[];
  settings: CellSettings;
  /** One partition per K, in the order of ks; empty when there is none (K above n, or no start). */
  partitions: Int32Array[];
}

/** Checks the options, fills in the defaults and computes the starting partitions. */
export function planSweep(x: Float64Array, n: number, d: number, options: SweepOptions): SweepPlan {
  return withPartitions(x, checkSweep(x, n, d, options), options.starts);
}

/** The plan without its partitions (they may take a while: workers can start meanwhile). Throws on bad options. */
export function checkSweep(x: Float64Array, n: number, d: number, options: SweepOptions): SweepPlan {
  if (!(n >= 1) || !(d >= 1) || x.length !== n * d) throw new RangeError(`data must be n × d = ${n} × ${d} values; got ${x.length}`);
  const ks = [...options.ks];
  if (ks.length === 0) throw new RangeError('ks must name at least one number of components');
  for (const k of ks) if (!Number.isInteger(k) || k < 1) throw new RangeError(`every K must be a whole number ≥ 1; got ${k}`);
  if (new Set(ks).size !== ks.length) throw new RangeError(`ks must not repeat a K; got ${ks.join(', ')}`);
  const models = [...(options.models ?? defaultMclustModels(n, d))];
  if (models.length === 0) throw new RangeError('models must name at least one covariance model');
  for (const m of models) {
    if (isUnivariateModel(m) !== (d === 1)) {
      throw new RangeError(d === 1 ? `model ${m} needs two or more columns; one column takes E or V` : `model ${m} is for one column; ${d} columns take the 14 multivariate models`);
    }
  }
  const settings: CellSettings = {
    tolerance: options.tolerance ?? SWEEP_DEFAULTS.tolerance,
    maxIterations: options.maxIterations ?? SWEEP_DEFAULTS.maxIterations,
    regularization: options.regularization ?? SWEEP_DEFAULTS.regularization,
    columns: options.columns,
    keepParams: options.keepParams,
    caseWeights: options.caseWeights,
  };
  if (settings.caseWeights && settings.caseWeights.length !== n) throw new RangeError(`caseWeights must hold n = ${n} weights; got ${settings.caseWeights.length}`);
  if (!(settings.tolerance >= 0)) throw new RangeError(`tolerance must be ≥ 0; got ${settings.tolerance}`);
  if (!(settings.maxIterations >= 1)) throw new RangeError(`maxIterations must be ≥ 1; got ${settings.maxIterations}`);
  if (!(settings.regularization >= 0)) throw new RangeError(`regularization must be ≥ 0; got ${settings.regularization}`);
  return { n, d, ks, models, settings, partitions: [] };
}

/** The plan with one starting partition per K (an empty one for a K above n, which is reported as such). */
export function withPartitions(x: Float64Array, plan: SweepPlan, starts: SweepOptions['starts'] = defaultStartingPartitions): SweepPlan {
  const { n, d, ks } = plan;
  const feasible = ks.filter((k) => k <= n);
  const given = typeof starts === 'function' ? (feasible.length > 0 ? starts(x, n, d, feasible) : []) : feasible.map((k) => starts[ks.indexOf(k)]);
  const partitions = ks.map((k) => (k <= n ? given[feasible.indexOf(k)] : new Int32Array(0)));
  ks.forEach((k, i) => {
    const p = partitions[i];
    if (k > n || p?.length === 0) return;
    if (!p || p.length !== n) throw new RangeError(`the starting partition for K = ${k} must have ${n} classes; got ${p?.length}`);
    for (let r = 0; r < n; r++) if (!(p[r] >= 0 && p[r] < k)) throw new RangeError(`the starting partition for K = ${k} has class ${p[r]} at row ${r + 1}; classes are 0…${k - 1}`);
  });
  return { ...plan, partitions };
}

/** The cells in the order workers take them: the largest K first, so the longest fits do not come last. */
export function cellQueue(plan: SweepPlan): Int32Array {
  const order = Array.from({ length: plan.ks.length * plan.models.length }, (_, i) => i);
  const m = plan.models.length;
  order.sort((a, b) => plan.ks[Math.floor(b / m)] - plan.ks[Math.floor(a / m)] || a - b);
  return Int32Array.from(order);
}

/** The hard partition as n × K responsibilities (mclust's unmap). */
export function unmap(partition: Int32Array, k: number): Float64Array {
  const z = new Float64Array(partition.length * k);
  for (let i = 0; i < partition.length; i++) z[i * k + partition[i]] = 1;
  return z;
}

/** Fits one cell: EM from the partition, its BIC and ICL, and whether a component is degenerate. */
export function fitCell(x: Float64Array, n: number, d: number, k: number, model: MclustModelName, partition: Int32Array, settings: CellSettings): { cell: SweepCell; fit?: MeResult } {
  const parameters = nMclustParams(model, d, k);
  if (k > n || partition.length === 0) return { cell: { k, model, logLikelihood: null, parameters, bic: null, icl: null, iterations: 0, status: k > n ? 'too-few-rows' : 'no-start' } };
  const fit = meFromResponsibilities(model, x, n, d, unmap(partition, k), {
    maxIterations: settings.maxIterations,
    tolerance: settings.tolerance,
    regularization: settings.regularization,
    caseWeights: settings.caseWeights,
  });
  const failed = !Number.isFinite(fit.logLikelihood);
  const cell: SweepCell = {
    k,
    model,
    logLikelihood: failed ? null : fit.logLikelihood,
    parameters,
    bic: failed ? null : fit.bic,
    icl: failed ? null : fit.icl,
    iterations: fit.iterations,
    status: fit.status,
  };
  if (failed) return { cell, fit };
  if (settings.keepParams) {
    const { weights, means, covariances } = describeFit(cell, fit);
    cell.params = { weights, means, covariances };
  }
  const degenerate = findMclustDegenerateComponents({
    model,
    values: x,
    n,
    d,
    k,
    z: fit.z,
    covariances: fit.covariances,
    regularization: settings.regularization,
    columns: settings.columns,
  });
  if (degenerate.length > 0) {
    cell.status = 'degenerate';
    cell.degenerate = degenerate.map((c) => (c.component < 0 ? c.reason : `component ${c.component + 1}: ${c.reason}`));
  }
  return { cell, fit };
}

/** True when a cell may be chosen: EM ran to the end (converged or at its iteration limit), nothing degenerate. */
export function isChoosable(cell: SweepCell): boolean {
  return (cell.status === 'converged' || cell.status === 'max-iterations') && cell.bic !== null;
}

/**
 * The index of the best choosable cell by a criterion, or −1. Exact ties go to the first cell in mclust's order
 * (model by model, K within each), as R's pickBIC sorts the BIC matrix column by column.
 */
export function bestCellIndex(result: Pick<SweepResult, 'cells' | 'ks' | 'models'>, criterion: SelectionCriterion): number {
  let best = -1;
  for (let j = 0; j < result.models.length; j++) {
    for (let i = 0; i < result.ks.length; i++) {
      const index = i * result.models.length + j;
      const cell = result.cells[index];
      if (!isChoosable(cell)) continue;
      const value = cell[criterion] as number;
      if (best < 0 || value > (result.cells[best][criterion] as number)) best = index;
    }
  }
  return best;
}

/**
 * The fits of the best cells so far by BIC and by ICL, in bestCellIndex's order (the higher value; on a tie the
 * earlier cell, model by model), so that finishSweep needs no refit of a best cell fitted on this thread.
 */
export class BestFitKeeper {
  private readonly kept: Record<SelectionCriterion, { index: number; cell: SweepCell; fit: MeResult } | undefined> = { bic: undefined, icl: undefined };

  constructor(
    private readonly plan: Pick<SweepPlan, 'ks' | 'models'>,
  ) {}

  offer(index: number, cell: SweepCell, fit: MeResult | undefined): void {
    if (!fit || !isChoosable(cell)) return;
    for (const criterion of ['bic', 'icl'] as const) {
      const best = this.kept[criterion];
      if (!best || this.beats(index, cell, best.index, best.cell, criterion)) this.kept[criterion] = { index, cell, fit };
    }
  }

  /** The kept fits by cell index (for finishSweep). */
  fits(): (MeResult | undefined)[] {
    const fits: (MeResult | undefined)[] = [];
    for (const best of [this.kept.bic, this.kept.icl]) if (best) fits[best.index] = best.fit;
    return fits;
  }

  private beats(a: number, cellA: SweepCell, b: number, cellB: SweepCell, criterion: SelectionCriterion): boolean {
    const va = cellA[criterion] as number;
    const vb = cellB[criterion] as number;
    if (va !== vb) return va > vb;
    const m = this.plan.models.length;
    return a % m < b % m || (a % m === b % m && a < b);
  }
}

/** The full parameters and assignments of a fit. */
export function describeFit(cell: SweepCell, fit: MeResult): BestFit {
  const { d, k, n } = fit;
  const assignments = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (fit.z[i * k + c] > fit.z[i * k + best]) best = c;
    assignments[i] = best;
  }
  return {
    cell,
    weights: Array.from(fit.weights),
    means: Array.from({ length: k }, (_, c) => Array.from(fit.means.subarray(c * d, c * d + d))),
    covariances: Array.from({ length: k }, (_, c) => Array.from({ length: d }, (_, r) => Array.from(fit.covariances.subarray(c * d * d + r * d, c * d * d + r * d + d)))),
    assignments,
  };
}

/**
 * The table from its cells (in plan order) and the best cells by BIC and by ICL with their parameters. A best fit not
 * in `fits` is refitted here (EM is deterministic), so the cells themselves can come from anywhere: this thread or
 * workers.
 */
export function finishSweep(x: Float64Array, plan: SweepPlan, cells: SweepCell[], fits?: (MeResult | undefined)[]): SweepResult {
  const { n, d, ks, models } = plan;
  const result: SweepResult = { n, d, ks, models, cells, best: { bic: null, icl: null }, partitions: plan.partitions };
  const full = (index: number): BestFit | null => {
    if (index < 0) return null;
    const cell = cells[index];
    const fit = fits?.[index] ?? fitCell(x, n, d, cell.k, cell.model, plan.partitions[Math.floor(index / models.length)], plan.settings).fit!;
    return describeFit(cell, fit);
  };
  const bic = bestCellIndex(result, 'bic');
  const icl = bestCellIndex(result, 'icl');
  result.best.bic = full(bic);
  result.best.icl = icl === bic ? result.best.bic : full(icl);
  return result;
}

/**
 * Fits every (K, model) cell on this thread. `onCell` sees each cell as it is done (in the order the cells are taken:
 * the largest K first).
 */
export function sweepModels(x: Float64Array, n: number, d: number, options: SweepOptions, onCell?: (cell: SweepCell, done: number, total: number) => void): SweepResult {
  const plan = planSweep(x, n, d, options);
  const cells = new Array<SweepCell>(plan.ks.length * plan.models.length);
  const queue = cellQueue(plan);
  const keeper = new BestFitKeeper(plan);
  let done = 0;
  for (const index of queue) {
    const { cell, fit } = runPlannedCell(x, plan, index);
    cells[index] = cell;
    keeper.offer(index, cell, fit);
    done++;
    onCell?.(cells[index], done, queue.length);
  }
  return finishSweep(x, plan, cells, keeper.fits());
}

/** Fits cell `index` of a plan. */
export function runPlannedCell(x: Float64Array, plan: SweepPlan, index: number): { cell: SweepCell; fit?: MeResult } {
  const m = plan.models.length;
  const i = Math.floor(index / m);
  return fitCell(x, plan.n, plan.d, plan.ks[i], plan.models[index % m], plan.partitions[i], plan.settings);
}
