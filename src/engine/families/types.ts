// What a mixture family gives the registry: how it takes a dataset (chosen in the settings, or by model "auto"), the
// starting methods it supports, and its fit (its EM pieces, result summary and snapshots packaged as a FitOutcome).

import type { ClusterExamples, DatasetSummary, FitOptions, FitResult, InitMethod, ModelKind, PlotSample, SelectionProgress } from '../../shared/protocol';
import type { Dataset } from '../data/dataset';
import type { EmProgress } from '../em/em';
import { OptionsError } from '../errors';
import type { FamilyId } from './ids';

export interface FitCallbacks {
  /** Called once the data are prepared, before the first iteration. */
  onLoaded?(info: { summary: DatasetSummary; model: ModelKind; modelReason: string; plotSample?: PlotSample }): void;
  /** Called after every E-step (iteration 0 = the starting parameters). */
  onProgress?(progress: EmProgress): void;
  /** Model selection: called when each candidate (K × covariance model) is finished, before the chosen one's fit. */
  onSelectionProgress?(progress: Omit<SelectionProgress, 'type' | 'runId'>): void;
}

/** Options of one fit: K fixed. */
export type FixedFitOptions = FitOptions & { k: number };

/** What the engine's host gives it beyond the options: where its worker scripts are (the engine reads no file). */
export interface EngineEnvironment {
  /** The model-selection worker (dist/selectWorker.js); without it a selection runs on the calling thread. */
  selectWorkerScript?: string;
}

/** A model selection's candidates, for a family's `select`. */
export interface SelectContext {
  /** The options as given (k may be "auto"). */
  options: FitOptions;
  reason: string;
  started: number;
  callbacks: FitCallbacks;
  environment: EngineEnvironment;
  /** The K values to try, increasing. */
  ks: number[];
  /** Gaussian: the covariance models to try (mclust names for d); Bernoulli: ['bernoulli']. */
  models: string[];
}

export interface FitOutcome {
  result: FitResult;
  plotSample?: PlotSample;
  /** Hard assignments of the plotted sample's points. */
  plotAssignments?: number[];
  examples?: ClusterExamples[];
}

/** What a family's fit needs beyond its prepared data. */
export interface FitContext {
  options: FixedFitOptions;
  /** Why this family was chosen, for the result's modelReason. */
  reason: string;
  /** Date.now() when the fit started, for elapsedMs. */
  started: number;
  callbacks: FitCallbacks;
}

/** A family, written against the shape of data it fits (a table of numbers, binary images…). */
export interface FamilyDefinition<Prepared extends { n: number; d: number }> {
  readonly id: FamilyId;
  /** For messages: "a Gaussian mixture". */
  readonly label: string;
  /** The `init` methods it starts from; any other is refused before the fit starts. */
  readonly inits: readonly InitMethod[];
  /**
   * For model "auto": the dataset in this family's form and why the family suits it, or undefined to let a later
   * family take it. Families are asked in registry order; the last one must take every dataset.
   */
  detect(dataset: Dataset, options: FitOptions): { data: Prepared; reason: string } | undefined;
  /** When the settings name this family: the dataset in its form, or a DataError naming the file and the fix. */
  prepare(dataset: Dataset, options: FitOptions): Prepared;
  fit(data: Prepared, context: FitContext): FitOutcome;
  /** Fits every candidate of a model selection and returns the chosen one's fit with `result.selection`. */
  select?(data: Prepared, context: SelectContext): FitOutcome;
}

/** A family bound to one dataset: its size, and its fit. */
export interface ChosenFamily {
  readonly id: FamilyId;
  readonly reason: string;
  readonly n: number;
  readonly d: number;
  fit(context: Omit<FitContext, 'reason'>): FitOutcome;
  select(context: Omit<SelectContext, 'reason'>): FitOutcome;
}

/** A registry entry: the family with its prepared-data type hidden, so families of different data sit in one list. */
export interface RegisteredFamily {
  readonly id: FamilyId;
  readonly label: string;
  readonly inits: readonly InitMethod[];
  detect(dataset: Dataset, options: FitOptions): ChosenFamily | undefined;
  prepare(dataset: Dataset, options: FitOptions, reason: string): ChosenFamily;
}

export function defineFamily<Prepared extends { n: number; d: number }>(family: FamilyDefinition<Prepared>): RegisteredFamily {
  const bind = (data: Prepared, reason: string): ChosenFamily => ({
    id: family.id,
    reason,
    n: data.n,
    d: data.d,
    fit: (context) => family.fit(data, { ...context, reason }),
    select: (context) => {
      if (!family.select) throw new OptionsError(`a ${family.label} mixture fits one K at a time; set k to a number.`);
      return family.select(data, { ...context, reason });
    },
  });
  return {
    id: family.id,
    label: family.label,
    inits: family.inits,
    detect(dataset, options) {
      const found = family.detect(dataset, options);
      return found ? bind(found.data, found.reason) : undefined;
    },
    prepare: (dataset, options, reason) => bind(family.prepare(dataset, options), reason),
  };
}

/** Evenly spaced row indices, at most `max` of them (the rows a panel plots). */
export function evenSample(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * n) / max));
}
