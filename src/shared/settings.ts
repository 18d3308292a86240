// The settings schema: one table, one entry per setting. Everything else is derived from it: the FitOptions
// defaults, the one validator every entry point uses (the settings reader, the webview's messages, a restored
// panel's state, the engine, the CLI), the CLI's flags and --help, the output channel's summary, README's settings
// table and package.json's `contributes.configuration` (written by scripts/generate-manifest.ts).
//
// To add a setting:
//   1. add its entry to SETTINGS below (key, kind, default, range or values, families, CLI flag, description);
//   2. a fit option also gets its field in the FitOptions interface (the compile-time check below fails until the
//      two agree), and its use in the engine;
//   3. run `npm run manifest` to regenerate package.json's settings.
// Plain data and pure functions only; no `vscode` import.

import { FAMILY_DESCRIPTIONS, FAMILY_IDS, type FamilyId } from '../engine/families/ids';

export type ModelKind = FamilyId;
export type ModelChoice = 'auto' | ModelKind;
/** scikit-learn's covariance types, fitted with scikit-learn's formulas (GaussianMixture's covariance_type). */
export type SklearnCovarianceType = 'full' | 'diag' | 'spherical' | 'tied';
/**
 * mclust's models Σ_k = λ_k D_k A_k D_kᵀ: volume λ, shape A and orientation D Equal across components, Variable, or
 * the Identity; E and V (equal or variable variance) for one column.
 */
export type MclustCovarianceModel =
  | 'EII' | 'VII' | 'EEI' | 'VEI' | 'EVI' | 'VVI' | 'EEE' | 'VEE' | 'EVE' | 'VVE' | 'EEV' | 'VEV' | 'EVV' | 'VVV' | 'E' | 'V';
/** scikit-learn's BayesianGaussianMixture (full covariances): K is an upper bound, the fit keeps what the data need. */
export type VariationalModel = 'variational';
export type CovarianceType = SklearnCovarianceType | MclustCovarianceModel | VariationalModel;
export type WeightPrior = 'dirichlet-process' | 'dirichlet-distribution';
/**
 * kmeans++ (default), random responsibilities, random data points as means, explicit parameters; Bernoulli also
 * random-assignment (every row in a uniformly random cluster: the course's start for hard EM).
 */
export type InitMethod = 'kmeans++' | 'random' | 'random-data' | 'params' | 'random-assignment';
export type EmVariant = 'soft' | 'hard';
export type MissingPolicy = 'marginalize' | 'skip';

/** Explicit starting parameters (CLI `--init-params`, setting mixscope.initParams, figure reproduction). */
export interface InitParams {
  weights: number[];
  /** K × D: Gaussian means, or Bernoulli pixel probabilities. */
  means: number[][];
  /** Gaussian only, K × D × D (full). Diag/spherical/tied accept their own shapes, see the Gaussian family. */
  covariances?: unknown;
}

/** Which score picks the model in a selection; all in scikit-learn's sign, lower is better. */
export type SelectionCriterion = 'bic' | 'icl' | 'aic';

export interface FitOptions {
  model: ModelChoice;
  /** The number of components, or 'auto': choose K from kRange (and the covariance model) by `criterion`. */
  k: number | 'auto';
  /** The K values a selection tries: "A-B" or a list "2,3,5" (see parseKRange). */
  kRange: string;
  /** Covariance models a selection tries: "auto", "all" or a list of names (see parseCovarianceModels). */
  covarianceModels: string;
  criterion: SelectionCriterion;
  maxIterations: number;
  /** Convergence when |Δ mean log-likelihood per sample| < tolerance (as sklearn). */
  tolerance: number;
  seed: number;
  init: InitMethod;
  /** Number of initialisations (sklearn's n_init); the best final objective is kept. */
  restarts: number;
  covarianceType: CovarianceType;
  /** covarianceType "variational": the prior on the weights (scikit-learn's weight_concentration_prior_type). */
  weightPrior: WeightPrior;
  /** Added to covariance diagonals (sklearn's reg_covar). */
  regularization: number;
  standardize: boolean;
  /** Columns to fit by name; empty = every numeric column. */
  columns: string[];
  /** Excel workbooks: the sheet to read, by name or 1-based number; empty = the first that holds a numeric table. */
  sheet: string;
  /** Class labels the clusters are scored against, never fitted: "auto", "none", or a column's name or number. */
  labelColumn: string;
  /** Columns read as categorical features even when they hold numbers; empty = text columns of few values. */
  categorical: string[];
  /** Most distinct values of a text column read as categorical. */
  categoryLimit: number;
  /** Numeric columns read as counts (a Poisson block of the mixed family, or the Poisson family); empty = none. */
  countColumns: string[];
  /** Column of case (frequency) weights, by name or 1-based number; "" = none. */
  weightsColumn: string;
  /** Rows with missing cells: fitted on their observed cells (EM marginalises the rest), or skipped. */
  missing: MissingPolicy;
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

// ------------------------------------------------------------------------------------------------ selection lists

/** Most K values one selection tries (each is a fit; with the 14 models, 14 fits). */
export const MAX_SELECTION_KS = 1000;

/** The K values of a range "A-B" or a list "2,3,5" (whole numbers 1–1000), increasing, or why the text is wrong. */
export function parseKRange(text: string): { ok: true; ks: number[] } | { ok: false; why: string } {
  const bad = { ok: false as const, why: `expected a range "A-B" or a list "2,3,5" of whole numbers from 1 to 1000, got ${JSON.stringify(text)}` };
  const whole = (part: string) => (/^\s*\d+\s*$/.test(part) ? Number(part) : Number.NaN);
  const inRange = (k: number) => Number.isInteger(k) && k >= 1 && k <= 1000;
  const range = /^([^-,]+)-([^-,]+)$/.exec(text);
  let ks: number[];
  if (range) {
    const [from, to] = [whole(range[1]), whole(range[2])];
    if (!inRange(from) || !inRange(to)) return bad;
    if (to < from) return { ok: false, why: `the range ${JSON.stringify(text.trim())} ends before it starts` };
    ks = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  } else {
    ks = text.split(',').map(whole);
    if (ks.length === 0 || !ks.every(inRange)) return bad;
  }
  return { ok: true, ks: [...new Set(ks)].sort((a, b) => a - b) };
}

function checkKRange(value: string): { ok: true; value: string } | { ok: false; why: string } {
  const parsed = parseKRange(value);
  return parsed.ok ? { ok: true, value: value.trim() } : parsed;
}

/** scikit-learn's covariance types and the mclust models they are (with regularisation 0 the fits coincide). */
export const SKLEARN_MODEL_ALIASES: Readonly<Record<SklearnCovarianceType, MclustCovarianceModel>> = { spherical: 'VII', diag: 'VVI', tied: 'EEE', full: 'VVV' };

const MCLUST_NAMES: readonly MclustCovarianceModel[] = ['EII', 'VII', 'EEI', 'VEI', 'EVI', 'VVI', 'EEE', 'VEE', 'EVE', 'VVE', 'EEV', 'VEV', 'EVV', 'VVV', 'E', 'V'];

/**
 * A list of covariance models: "auto", "all", or names separated by commas — mclust's (any case) or scikit-learn's
 * (spherical, diag, tied, full), each kept as written in canonical case, without repeats.
 */
export function parseCovarianceModels(text: string): { ok: true; models: 'auto' | 'all' | CovarianceType[] } | { ok: false; why: string } {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'auto' || trimmed === 'all') return { ok: true, models: trimmed };
  const names = text.split(',').map((m) => m.trim()).filter((m) => m !== '');
  const models: CovarianceType[] = [];
  for (const name of names) {
    const lower = name.toLowerCase();
    const upper = name.toUpperCase();
    const model = lower in SKLEARN_MODEL_ALIASES ? (lower as SklearnCovarianceType) : (MCLUST_NAMES as readonly string[]).includes(upper) ? (upper as MclustCovarianceModel) : undefined;
    if (!model) {
      return { ok: false, why: `${JSON.stringify(name)} is not a covariance model (mclust: ${MCLUST_NAMES.join(', ')}; scikit-learn: spherical, diag, tied, full)` };
    }
    if (!models.includes(model)) models.push(model);
  }
  if (models.length === 0) return { ok: false, why: 'expected "auto", "all" or at least one covariance model' };
  return { ok: true, models };
}

function checkCovarianceModels(value: string): { ok: true; value: string } | { ok: false; why: string } {
  const parsed = parseCovarianceModels(value);
  if (!parsed.ok) return parsed;
  return { ok: true, value: typeof parsed.models === 'string' ? parsed.models : parsed.models.join(',') };
}

// ------------------------------------------------------------------------------------------------ the table

/** 'fit': a FitOptions field, sent to the engine. 'host': read by the extension host only (never reaches the engine). */
export type SettingScope = 'fit' | 'host';

/** The CLI flag without dashes (`max-iter` for --max-iter); `value` names the argument in --help; `help` is its line there. */
export interface CliFlag { flag: string; value?: string; help: string }

interface SpecBase {
  key: string;
  scope: SettingScope;
  /** The families the setting changes; 'all' when it applies to every family. */
  families: 'all' | readonly ModelKind[];
  /** Absent for a host setting that only the editor has a use for (mixscope.codeLens). */
  cli?: CliFlag;
  /** Markdown shown in the Settings UI, README and --help (first sentence). */
  description: string;
  /** What README's table says in its "Range / values" column when the range alone is not enough. */
  rangeText?: string;
}

export interface NumberSpec extends SpecBase {
  kind: 'number';
  integer: boolean;
  /** 'auto' only with `auto`. */
  default: number | 'auto';
  min: number;
  /** Infinity: no upper bound (any finite number). */
  max: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  /** Replaces the generated "a whole number from 1 to 1000" in messages. */
  expectation?: string;
  /** Also accepts the string "auto" (k: choose it). */
  auto?: boolean;
}

export interface EnumSpec extends SpecBase {
  kind: 'enum';
  default: string;
  /** The choices offered (Settings UI, CLI, --help). */
  values: readonly string[];
  valueDescriptions: readonly string[];
  /** Also accepted, never offered: set by another setting (init "params" comes with initParams). */
  alsoAccepted?: readonly string[];
}

export interface BooleanSpec extends SpecBase {
  kind: 'boolean';
  default: boolean;
}

/** A list of non-empty strings (column names or 1-based numbers); the CLI takes them comma-separated. */
export interface StringListSpec extends SpecBase {
  kind: 'stringList';
  default: readonly string[];
}

/** Two numbers in [min, max], as [a, b]; the CLI takes "a,b". */
export interface NumberPairSpec extends SpecBase {
  kind: 'numberPair';
  default: readonly [number, number];
  min: number;
  max: number;
}

/** Explicit starting parameters: an object or null; the CLI takes a JSON file. */
export interface InitParamsSpec extends SpecBase {
  kind: 'initParams';
  default: null;
}

/** Text of a small language (a K range, a list of models): `check` returns the value to use or why it is wrong. */
export interface TextSpec extends SpecBase {
  kind: 'text';
  default: string;
  /** JSON Schema pattern for the Settings UI (a first check; `check` is the rule). */
  pattern: string;
  expectation: string;
  check(value: string): { ok: true; value: string } | { ok: false; why: string };
}

export type SettingSpec = NumberSpec | EnumSpec | BooleanSpec | StringListSpec | NumberPairSpec | InitParamsSpec | TextSpec;

/**
 * Every setting, in the order the Settings UI, README and --help list them. The ranges are deliberate and the same
 * everywhere: K up to 1000 (the engine's cost grows with K × D; more components than this are never readable);
 * maxIterations from 0 (0 evaluates the start only, as scikit-learn's max_iter ≥ 0); tolerance ≥ 0 (0 runs every
 * iteration, as scikit-learn's tol ≥ 0); restarts up to 100.
 */
export const SETTINGS = [
  {
    key: 'model', scope: 'fit', families: 'all', kind: 'enum', default: 'auto', cli: { flag: 'model', help: 'model family (auto: Bernoulli for binary or image data)' },
    values: ['auto', ...FAMILY_IDS],
    valueDescriptions: [
      'Bernoulli for binary or image data (IDX, 0/1 columns), categorical for answers in words, mixed for numbers beside them, Gaussian otherwise; the panel says why.',
      ...FAMILY_IDS.map((id) => FAMILY_DESCRIPTIONS[id]),
    ],
    description: 'Mixture model to fit. `auto`: Bernoulli for binary or image data, categorical for answers in words, mixed for numbers beside them, Gaussian otherwise (the panel says why).',
  },
  {
    key: 'k', scope: 'fit', families: 'all', kind: 'number', integer: true, default: 'auto' as number | 'auto', min: 1, max: 1000, auto: true,
    cli: { flag: 'k', value: 'N|A-B|A,B,C|auto', help: 'number of components K; a range or a list (or auto: mixscope.kRange) chooses K by --criterion' },
    expectation: '"auto" or a whole number from 1 to 1000',
    rangeText: '`"auto"` or 1 – 1000',
    description:
      'Number of mixture components (clusters), K. `"auto"`: every K of `mixscope.kRange` is fitted (with each model of `mixscope.covarianceModels` for a Gaussian mixture) and the best by `mixscope.criterion` is shown, as R\'s `Mclust()`.',
  },
  {
    key: 'kRange', scope: 'fit', families: 'all', kind: 'text', default: '1-9', cli: { flag: 'k-range', value: 'A-B|A,B,C', help: 'the K values tried when K is auto' },
    pattern: '^\\s*\\d+\\s*(-\\s*\\d+\\s*|(,\\s*\\d+\\s*)*)$',
    expectation: 'a range "A-B" or a list "2,3,5" of whole numbers from 1 to 1000',
    check: (value: string) => checkKRange(value),
    rangeText: '`"A-B"` or `"2,3,5"`',
    description: 'The numbers of components tried when `mixscope.k` is `"auto"`: a range `"1-9"` or a list `"2,3,5"`.',
  },
  {
    key: 'covarianceModels', scope: 'fit', families: ['gaussian'], kind: 'text', default: 'auto',
    cli: { flag: 'covariance-models', value: 'auto|all|EEE,VVV,...', help: 'Gaussian covariance models a selection tries (--covariance with a list or all sets this)' },
    pattern: '^\\s*[A-Za-z]+\\s*(,\\s*[A-Za-z]+\\s*)*$',
    expectation: '"auto", "all" or a list of covariance models such as "EEE,VVV" (mclust names; spherical, diag, tied, full)',
    check: (value: string) => checkCovarianceModels(value),
    rangeText: '`"auto"`, `"all"` or a list `"EEE,VVV"`',
    description:
      'Gaussian covariance models compared in a model selection. `"auto"`: with `mixscope.k` `"auto"`, every mclust model that fits the data (mclust\'s rule: the 14 models, only the six diagonal ones when there are no more rows than columns, `E` and `V` on one column); with a fixed K, `mixscope.covarianceType` alone. ' +
      '`"all"`: every mclust model that fits the data, whatever K. Or a list of names (`"EEE,VVV"`); scikit-learn\'s names stand for their mclust models: spherical = VII, diag = VVI, tied = EEE, full = VVV.',
  },
  {
    key: 'criterion', scope: 'fit', families: 'all', kind: 'enum', default: 'bic', cli: { flag: 'criterion', help: 'what chooses among several candidates (scikit-learn\'s sign: lower is better)' },
    values: ['bic', 'icl', 'aic'],
    valueDescriptions: [
      'BIC = −2 ln L + p ln n (mclust reports 2 ln L − p ln n: the same ranking).',
      'ICL = BIC + 2 × the entropy of the responsibilities: prefers well-separated clusters.',
      'AIC = −2 ln L + 2p: penalises parameters less, so it tends to choose more components.',
    ],
    description: 'How a model selection chooses among its candidates, lowest first (scikit-learn\'s sign; mclust reports BIC and ICL negated, higher is better).',
  },
  {
    key: 'maxIterations', scope: 'fit', families: 'all', kind: 'number', integer: true, default: 100, min: 0, max: 100000, cli: { flag: 'max-iter', value: 'N', help: 'most EM iterations per initialisation (0: evaluate the start only)' },
    description: 'Most EM iterations per initialisation (0: only evaluate the start). In a model selection the default lets every candidate run to convergence, as mclust; another value limits every candidate.',
  },
  {
    key: 'tolerance', scope: 'fit', families: 'all', kind: 'number', integer: false, default: 1e-3, min: 0, max: Infinity, cli: { flag: 'tol', value: 'X', help: 'stop when |Δ mean log-likelihood per row| < X (0: run every iteration)' },
    description:
      'Convergence: stop when the per-sample mean log-likelihood changes by less than this between iterations (scikit-learn\'s `tol`; 0: run every iteration). ' +
      'In a model selection every candidate stops as mclust\'s EM, on the relative change |Δ ln L| / (1 + |ln L|): at 1e-5 with the default, at this value otherwise.',
  },
  {
    key: 'seed', scope: 'fit', families: 'all', kind: 'number', integer: true, default: 0, min: 0, max: 4294967295, cli: { flag: 'seed', value: 'N', help: 'random seed' },
    description: 'Random seed: the same seed, data and settings give the same fit.',
  },
  {
    key: 'init', scope: 'fit', families: 'all', kind: 'enum', default: 'kmeans++', cli: { flag: 'init', help: 'initialisation (random-assignment: Bernoulli only)' },
    values: ['kmeans++', 'random', 'random-data', 'random-assignment'],
    valueDescriptions: [
      'k-means++ seeding of the means.',
      'Random responsibilities.',
      'K random data points as the means.',
      'Bernoulli only: every row in a uniformly random cluster (the course\'s start for hard EM).',
    ],
    alsoAccepted: ['params'],
    description: 'How the parameters are initialised: k-means++ means, random responsibilities, K random points as means, or (Bernoulli) every row in a random cluster.',
  },
  {
    key: 'initParams', scope: 'fit', families: 'all', kind: 'initParams', default: null, cli: { flag: 'init-params', value: 'FILE.json', help: 'explicit start {"weights","means","covariances"}; replaces --init' },
    rangeText: '`{"weights", "means", "covariances"}`',
    description:
      'Explicit starting parameters, to reproduce a published figure: `{"weights": [0.5, 0.5], "means": [[-1.5, 1.5], [1.5, -1.5]], "covariances": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}` ' +
      '(Murphy fig. 11.11, with `mixscope.standardize`). K must match. When set, it replaces `mixscope.init`; Bernoulli: `means` are the K × D pixel probabilities. `null`: not used.',
  },
  {
    key: 'restarts', scope: 'fit', families: 'all', kind: 'number', integer: true, default: 1, min: 1, max: 100, cli: { flag: 'restarts', value: 'N', help: 'initialisations; the best final log-likelihood is kept' },
    description: 'Number of initialisations (scikit-learn\'s `n_init`); the one with the best final log-likelihood is kept.',
  },
  {
    key: 'covarianceType', scope: 'fit', families: ['gaussian'], kind: 'enum', default: 'full',
    cli: { flag: 'covariance', help: 'Gaussian covariance: a scikit-learn type or an mclust model (E, V: one column)' },
    values: ['full', 'diag', 'spherical', 'tied', 'EII', 'VII', 'EEI', 'VEI', 'EVI', 'VVI', 'EEE', 'VEE', 'EVE', 'VVE', 'EEV', 'VEV', 'EVV', 'VVV', 'E', 'V', 'variational'],
    valueDescriptions: [
      'Each component has its own full covariance matrix (scikit-learn; the model of mclust\'s VVV).',
      'Each component has its own diagonal covariance (scikit-learn; mclust\'s VVI).',
      'Each component has a single variance (scikit-learn; mclust\'s VII).',
      'All components share one full covariance matrix (scikit-learn; mclust\'s EEE).',
      'mclust EII: spherical, equal volume.',
      'mclust VII: spherical, variable volume.',
      'mclust EEI: diagonal, equal volume and shape.',
      'mclust VEI: diagonal, variable volume, equal shape.',
      'mclust EVI: diagonal, equal volume, variable shape.',
      'mclust VVI: diagonal, variable volume and shape.',
      'mclust EEE: ellipsoidal, equal volume, shape and orientation.',
      'mclust VEE: ellipsoidal, variable volume, equal shape and orientation.',
      'mclust EVE: ellipsoidal, equal volume and orientation, variable shape.',
      'mclust VVE: ellipsoidal, variable volume and shape, equal orientation.',
      'mclust EEV: ellipsoidal, equal volume and shape, variable orientation.',
      'mclust VEV: ellipsoidal, variable volume and orientation, equal shape.',
      'mclust EVV: ellipsoidal, equal volume, variable shape and orientation.',
      'mclust VVV: ellipsoidal, variable volume, shape and orientation.',
      'mclust E, one column: equal variance (the multivariate names with an equal volume mean this too).',
      'mclust V, one column: variable variance (the multivariate names with a variable volume mean this too).',
      'scikit-learn\'s BayesianGaussianMixture (variational inference, full covariances, its default priors): K is an upper bound; components the data do not need keep a weight near 0.',
    ],
    description:
      'Gaussian covariance model. `full`, `diag`, `spherical`, `tied`: scikit-learn\'s `covariance_type`, fitted with its formulas. ' +
      'An mclust model name (`EII`, `VII`, `EEI`, `VEI`, `EVI`, `VVI`, `EEE`, `VEE`, `EVE`, `VVE`, `EEV`, `VEV`, `EVV`, `VVV`; `E`, `V` for one column) ' +
      'fits Σ_k = λ_k D_k A_k D_kᵀ with the volume λ, shape A and orientation D Equal across components, Variable, or the Identity, as R\'s mclust; ' +
      'on one column a multivariate name means `E` (equal volume) or `V` (variable volume). ' +
      '`variational`: scikit-learn\'s `BayesianGaussianMixture` with full covariances; K (with `k` auto, the largest K of `kRange`) is an upper bound and the fit finds how many components the data need (`mixscope.weightPrior`).',
  },
  {
    key: 'weightPrior', scope: 'fit', families: ['gaussian'], kind: 'enum', default: 'dirichlet-process',
    cli: { flag: 'weight-prior', help: 'covariance variational: the prior on the weights' },
    values: ['dirichlet-process', 'dirichlet-distribution'],
    valueDescriptions: [
      'A truncated Dirichlet process (stick-breaking; scikit-learn\'s default): prefers few components.',
      'A symmetric Dirichlet distribution over the K weights.',
    ],
    description: 'With `covarianceType` `variational`: the prior on the mixture weights, as scikit-learn\'s `weight_concentration_prior_type` (its default concentration 1/K).',
  },
  {
    key: 'regularization', scope: 'fit', families: ['gaussian'], kind: 'number', integer: false, default: 1e-6, min: 0, max: Infinity, cli: { flag: 'reg', value: 'X', help: 'added to every covariance diagonal' },
    description: 'Added to the diagonal of every covariance so that none becomes singular (scikit-learn\'s `reg_covar`). In a model selection the default means none, as mclust (so the table is R\'s `Mclust()` table); another value is added in every candidate.',
  },
  {
    key: 'standardize', scope: 'fit', families: ['gaussian'], kind: 'boolean', default: false, cli: { flag: 'standardize', help: 'z-score the columns before fitting' },
    description: 'Standardise each column (mean 0, standard deviation 1) before fitting; the parameters are then in standardised units.',
  },
  {
    key: 'columns', scope: 'fit', families: 'all', kind: 'stringList', default: [], cli: { flag: 'columns', value: 'a,b', help: 'columns to fit, by name or 1-based number' },
    rangeText: 'column names or 1-based numbers',
    description: 'Columns to fit, by name (or 1-based number). Empty: every numeric column.',
  },
  {
    key: 'labelColumn', scope: 'fit', families: 'all', kind: 'text', default: 'auto',
    cli: { flag: 'labels', value: 'COLUMN|none|FILE', help: 'class labels to score the clusters against, never fitted: a column, none, or a labels file (auto: see README)' },
    pattern: '\\S',
    expectation: '"auto", "none" or a column name or number',
    check: (value: string) => (value.trim() === '' ? { ok: false, why: 'expected "auto", "none" or a column name' } : { ok: true, value: value.trim() }),
    rangeText: '`"auto"`, `"none"` or a column name or number',
    description:
      'Class labels the clusters are scored against (they never enter the fit): the cluster × label heatmap, each cluster\'s majority label and purity, accuracy, adjusted Rand index and NMI. ' +
      '`"auto"`: an integer column named `label`, `class`, `target`, `y` or `digit`, else the one text column of a few repeated values (iris\'s `species`), or for IDX images the labels file beside them. ' +
      '`"none"`: no labels. Or a column\'s name (or 1-based number).',
  },
  {
    key: 'categorical', scope: 'fit', families: 'all', kind: 'stringList', default: [], cli: { flag: 'categorical', value: 'a,b', help: 'columns read as categories even if they hold numbers (coded answers 1..5)' },
    rangeText: 'column names or 1-based numbers',
    description:
      'Columns read as categorical features, by name (or 1-based number), even when they hold numbers (answers coded 1..5); each distinct value is a category. Empty: text columns of at most `mixscope.categoryLimit` values are categorical by themselves.',
  },
  {
    key: 'categoryLimit', scope: 'fit', families: 'all', kind: 'number', integer: true, default: 50, min: 2, max: 10000, cli: { flag: 'category-limit', value: 'N', help: 'most distinct values of a text column read as categories' },
    description:
      'Most distinct values a text column may hold to be read as a categorical feature (the categorical and mixed families); a text column with more, one with a single value, and an identifier (every value distinct) are left out, and the panel says why.',
  },
  {
    key: 'countColumns', scope: 'fit', families: ['mixed', 'poisson'], kind: 'stringList', default: [], cli: { flag: 'counts', value: 'a,b', help: 'numeric columns read as counts (whole numbers ≥ 0): a Poisson block' },
    rangeText: 'column names',
    description:
      'Numeric columns read as counts (whole numbers ≥ 0), by name: under model `auto` they form a Poisson block of the mixed family beside the other numeric columns (a Gaussian block) and the categorical ones, or, when every fitted column is a count, the Poisson family. A named column with another value, or a name that is not a numeric column, stops the fit naming it. Empty: whole numbers stay continuous.',
  },
  {
    key: 'weightsColumn', scope: 'fit', families: 'all', kind: 'text', default: '',
    cli: { flag: 'weights', value: 'COLUMN', help: 'a column of case (frequency) weights ≥ 0, by name or 1-based number; not a feature' },
    pattern: '^.*$',
    expectation: 'a column name or 1-based number ("" for none)',
    check: (value: string) => ({ ok: true, value: value.trim() }),
    rangeText: 'a column name or number, `""` for none',
    description:
      'A column of case (frequency) weights w ≥ 0 (every family but the variational mixture), used to weight the rows and not as a feature: EM maximises Σ w_i ln p(x_i), and BIC uses n = Σ w_i, so whole-number weights give the fit of each row repeated w times (a model selection\'s starting partitions are unweighted). A negative, text or missing weight stops the fit naming its line; zero weights are allowed. `""`: every row weighs 1.',
  },
  {
    key: 'missing', scope: 'fit', families: ['gaussian'], kind: 'enum', default: 'marginalize',
    cli: { flag: 'missing', help: 'Gaussian: rows with missing cells (empty, NA, NaN, null, ?) are fitted on their observed cells, or skipped' },
    values: ['marginalize', 'skip'],
    valueDescriptions: [
      'Fit every row on its observed cells: EM marginalises the missing cells (they are assumed missing at random).',
      'Skip every row with a missing cell (counted and reported).',
    ],
    description:
      'Rows with missing cells (empty, `NA`, `NaN`, `null`, `?`). `marginalize`: every row with at least one observed cell is fitted on its observed cells, assuming they are missing at random (Gaussian: EM integrates them out, as Ghahramani & Jordan; mixed: its Gaussian block does; Bernoulli and categorical: a missing cell drops out of the row\'s product); `skip`: such rows are skipped and counted. A Gaussian model selection (`k` `"auto"`), the variational mixture and the Poisson family skip them, and say so.',
  },
  {
    key: 'maxPlotPoints', scope: 'fit', families: 'all', kind: 'number', integer: true, default: 5000, min: 100, max: 100000, cli: { flag: 'max-plot-points', value: 'N', help: 'most points plotted by the extension (accepted for parity)' },
    description: 'Most points sent to the panel for plotting (sampled evenly); the fit always uses every row.',
  },
  {
    key: 'emVariant', scope: 'fit', families: 'all', kind: 'enum', default: 'soft', cli: { flag: 'em', help: 'EM variant (hard: classification EM, the course\'s algorithm)' },
    values: ['soft', 'hard'],
    valueDescriptions: [
      'Standard EM with responsibilities.',
      'Hard (classification) EM: each row in its most likely cluster; stops when no assignment changes.',
    ],
    description: 'EM variant: standard EM, or hard (classification) EM that stops when no assignment changes.',
  },
  {
    key: 'threshold', scope: 'fit', families: ['bernoulli'], kind: 'number', integer: false, default: 0.5, min: 0, max: 1, exclusiveMax: true, cli: { flag: 'threshold', value: 'X', help: 'Bernoulli: binarisation threshold on pixels scaled to [0, 1]' },
    description: 'Bernoulli: a pixel (scaled to [0, 1]) is 1 when it is above this threshold.',
  },
  {
    key: 'betaPrior', scope: 'fit', families: ['bernoulli'], kind: 'numberPair', default: [2, 2], min: 1, max: 1e6, cli: { flag: 'beta', value: 'A,B', help: 'Bernoulli: Beta(A, B) prior on pixel probabilities (1,1: none)' },
    description: 'Bernoulli: Beta(a, b) prior on each pixel probability, as [a, b]; [2, 2] gives Laplace smoothing (counts + 1) / (n + 2), [1, 1] none.',
  },
  {
    key: 'imageWidth', scope: 'fit', families: ['bernoulli'], kind: 'number', integer: true, default: 0, min: 0, max: 100000, cli: { flag: 'image-width', value: 'N', help: 'Bernoulli: image width when the file does not say (0: square)' },
    description: 'Image width in pixels when the file does not say it (0: square images when the number of columns is a perfect square).',
  },
  {
    key: 'threads', scope: 'fit', families: 'all', kind: 'number', integer: true, default: 0, min: 0, max: 64, cli: { flag: 'threads', value: 'N', help: 'engine threads (0: all cores)' },
    description: 'Compute threads for the engine (0: all cores).',
  },
  {
    key: 'sheet', scope: 'fit', families: 'all', kind: 'text', default: '', cli: { flag: 'sheet', value: 'NAME', help: 'Excel: the sheet to read, by name or 1-based number' },
    pattern: '^.*$',
    expectation: 'a sheet name or 1-based number (empty: the first sheet that holds a numeric table)',
    check: (value: string) => ({ ok: true, value: value.trim() }),
    rangeText: 'a sheet name or number',
    description: 'Excel workbooks (`.xlsx`): the sheet to read, by name or 1-based number. Empty: the first sheet that holds a numeric table ("…with options" asks when several do).',
  },
  {
    key: 'maxFileSizeMB', scope: 'host', families: 'all', kind: 'number', integer: true, default: 1048576, min: 1, max: 1048576, cli: { flag: 'max-file-size-mb', value: 'N', help: 'refuse larger files before reading them' },
    expectation: 'a size in MB greater than 0 (a whole number up to 1048576)',
    description: 'The largest data file Mixscope opens at all, in memory or out of core: a larger file is refused before it is read, with its size and this limit (default 1 TB: no limit in practice). Below it, mixscope.memoryBudgetMB decides how the file is fitted.',
  },
  {
    key: 'memoryBudgetMB', scope: 'host', families: 'all', kind: 'number', integer: true, default: 1024, min: 1, max: 65536, cli: { flag: 'memory-budget-mb', value: 'N', help: 'read a file into memory when it takes up to N MB once read (about 6 times a CSV\'s size); fit larger CSV/TSV, Parquet, Arrow, JSON, NumPy, IDX and Excel files out of core' },
    expectation: 'a size in MB greater than 0 (a whole number up to 65536)',
    description: 'Memory budget: a data file is read into memory when it takes up to this many MB once read and fitted, which counts the file as read, not its bytes on disk: its size times a factor measured for its format (2 for IDX images, 4 for NumPy, 5 for Arrow, 6 for CSV, TSV, Parquet and JSON Lines, 8 for JSON, 14 for Excel), so a 100 MB CSV takes about 600 MB. A larger delimited text (CSV, TSV), Parquet, Arrow / Feather, JSON, JSON Lines, NumPy, IDX or Excel file on this machine\'s disk is fitted out of core (streamed from a temporary binary copy: exact EM, every family, a fixed K or a model selection); any other file larger than this (a gzip-compressed file, or a file in a remote or virtual workspace) is refused with the reason.',
  },
  {
    key: 'codeLens', scope: 'host', families: 'all', kind: 'boolean', default: true,
    description:
      'Show the code lenses "Cluster this dataset" and "…with options" above a string literal that names an existing data file (`pd.read_csv("faithful.csv")`) in Python, R, Julia, JavaScript and TypeScript files and notebook cells.',
  },
] as const satisfies readonly SettingSpec[];

export type SettingKey = (typeof SETTINGS)[number]['key'];
type FitSpec = Extract<(typeof SETTINGS)[number], { scope: 'fit' }>;

// Compile-time check: the table's fit settings and the FitOptions interface name the same keys with the same types.
type SpecValue<S> = S extends { kind: 'number'; auto: true }
  ? number | 'auto'
  : S extends { kind: 'number' }
  ? number
  : S extends { kind: 'text' }
  ? string
  : S extends { kind: 'enum'; values: readonly (infer V)[]; alsoAccepted: readonly (infer A)[] }
    ? V | A
    : S extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : S extends { kind: 'boolean' }
        ? boolean
        : S extends { kind: 'stringList' }
          ? string[]
          : S extends { kind: 'numberPair' }
            ? [number, number]
            : S extends { kind: 'initParams' }
              ? InitParams
              : never;
type TableFitOptions = { [S in FitSpec as S['key']]: SpecValue<S> };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const fitOptionsMatchTable: Same<TableFitOptions, Required<FitOptions>> = true;
void fitOptionsMatchTable;

const SPEC_BY_KEY = new Map<string, SettingSpec>(SETTINGS.map((s) => [s.key, s]));

/** The table's entry for a key. */
export function settingSpec(key: SettingKey): SettingSpec {
  return SPEC_BY_KEY.get(key)!;
}

export const FIT_SETTINGS: readonly SettingSpec[] = SETTINGS.filter((s) => s.scope === 'fit');
export const HOST_SETTINGS: readonly SettingSpec[] = SETTINGS.filter((s) => s.scope === 'host');

export type CliSettingSpec = SettingSpec & { cli: CliFlag };
/** The settings the CLI takes as flags, in the table's order (editor-only settings have none). */
export const CLI_SETTINGS: readonly CliSettingSpec[] = (SETTINGS as readonly SettingSpec[]).filter((s): s is CliSettingSpec => s.cli !== undefined);

export function copyDefault(spec: SettingSpec): unknown {
  return Array.isArray(spec.default) ? [...(spec.default as readonly unknown[])] : spec.default;
}

/** Every fit option at its default (initParams, whose default is null, is left out: no explicit start). */
export const DEFAULT_FIT_OPTIONS: FitOptions = Object.fromEntries(
  FIT_SETTINGS.filter((s) => s.default !== null).map((s) => [s.key, copyDefault(s)]),
) as unknown as FitOptions;

const K_SPEC = settingSpec('k') as NumberSpec;
const MAX_ITERATIONS_SPEC = settingSpec('maxIterations') as NumberSpec;

/** Limits used to validate anything that arrives in a message (a webview is not trusted). */
export const LIMITS = {
  kMin: K_SPEC.min,
  kMax: K_SPEC.max,
  /** The panel's re-run form asks for at least one iteration; 0 (evaluate the start only) is for settings and the CLI. */
  maxIterationsMin: Math.max(1, MAX_ITERATIONS_SPEC.min),
  maxIterationsMax: MAX_ITERATIONS_SPEC.max,
  exportBytesMax: 50 * 1024 * 1024,
} as const;

// ------------------------------------------------------------------------------------------------ validation

/**
 * Where options come from decides what happens to a bad value:
 * - 'settings': the user's settings.json. A value out of range is clamped to it, a wrong type replaced by the default,
 *   and each correction reported (named `mixscope.key`).
 * - 'restored': a panel's state saved before a reload. Every option must be present and valid, or it is rejected.
 * - 'message', 'engine', 'cli': a webview message, the worker's request, the command line. Missing options take their
 *   defaults; any invalid value rejects the whole set.
 */
export type OptionsSource = 'settings' | 'restored' | 'message' | 'engine' | 'cli';

export interface SettingProblem {
  /** Setting key without the `mixscope.` prefix. */
  key: string;
  /** What is wrong, naming the setting, what is allowed and the value received: 'mixscope.k must be …; got 1e9'. */
  message: string;
  /** The value used instead, as text (for a correcting source). */
  used: string;
}

export interface OptionsValidation {
  /** Valid options: for 'settings' the corrected ones; for the other sources valid only when `problems` is empty. */
  options: FitOptions;
  problems: SettingProblem[];
}

/** A value as it may be quoted in a message: short, never the whole of a huge payload. */
export function describeValue(v: unknown): string {
  let text: string;
  if (typeof v === 'string') text = JSON.stringify(v);
  else if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) text = String(v);
  else {
    try {
      text = JSON.stringify(v) ?? String(v);
    } catch {
      text = Object.prototype.toString.call(v);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** What a setting accepts, for messages: 'a whole number from 1 to 1000', 'one of soft, hard'. */
export function describeExpectation(spec: SettingSpec): string {
  switch (spec.kind) {
    case 'number': {
      if (spec.expectation) return spec.expectation;
      const what = spec.integer ? 'a whole number' : 'a number';
      if (!spec.exclusiveMin && !spec.exclusiveMax && Number.isFinite(spec.max)) return `${what} from ${spec.min} to ${spec.max}`;
      const lower = spec.exclusiveMin ? `greater than ${spec.min}` : `at least ${spec.min}`;
      if (!Number.isFinite(spec.max)) return `${what} ${lower}`;
      return `${what} ${lower} and ${spec.exclusiveMax ? 'less than' : 'at most'} ${spec.max}`;
    }
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'stringList':
      return 'a list of column names';
    case 'numberPair':
      return `two numbers ≥ ${spec.min} (at most ${spec.max}), as [a, b]`;
    case 'initParams':
      return '{"weights": [...], "means": [[...], ...], "covariances": [[[...]]]} with numbers';
    case 'text':
      return spec.expectation;
  }
}

type Checked = { ok: true; value: unknown } | { ok: false; corrected: unknown; used: string };

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** One value against its table entry: accepted, or the value a correcting source uses instead and how to say it. */
function checkValue(spec: SettingSpec, raw: unknown): Checked {
  const fallback = copyDefault(spec);
  const useDefault: Checked = { ok: false, corrected: fallback, used: `the default ${formatValue(spec, fallback)}` };
  switch (spec.kind) {
    case 'number': {
      if (spec.auto && typeof raw === 'string' && raw.trim().toLowerCase() === 'auto') return raw === 'auto' ? { ok: true, value: 'auto' } : { ok: false, corrected: 'auto', used: 'auto' };
      if (!isFiniteNumber(raw)) return useDefault;
      let value: number | 'auto' = spec.integer ? Math.round(raw) : raw;
      const tooLow = spec.exclusiveMin ? value <= spec.min : value < spec.min;
      const tooHigh = spec.exclusiveMax ? value >= spec.max : value > spec.max;
      // Clamp to a closed bound; an open bound has no nearest value, so the default is used.
      if (tooLow) value = spec.exclusiveMin ? spec.default : spec.min;
      else if (tooHigh) value = spec.exclusiveMax ? spec.default : spec.max;
      return value === raw ? { ok: true, value } : { ok: false, corrected: value, used: String(value) };
    }
    case 'text': {
      if (typeof raw !== 'string') return useDefault;
      const checked = spec.check(raw);
      return checked.ok ? { ok: true, value: raw } : useDefault;
    }
    case 'enum':
      return typeof raw === 'string' && (spec.values.includes(raw) || (spec.alsoAccepted ?? []).includes(raw)) ? { ok: true, value: raw } : useDefault;
    case 'boolean':
      return typeof raw === 'boolean' ? { ok: true, value: raw } : { ok: false, corrected: fallback, used: String(fallback) };
    case 'stringList':
      return Array.isArray(raw) && raw.every((c) => typeof c === 'string' && c.trim() !== '')
        ? { ok: true, value: (raw as string[]).map((c) => c.trim()) }
        : { ok: false, corrected: fallback, used: 'every numeric column' };
    case 'numberPair':
      return Array.isArray(raw) && raw.length === 2 && raw.every((x) => isFiniteNumber(x) && x >= spec.min && x <= spec.max)
        ? { ok: true, value: [raw[0], raw[1]] }
        : { ok: false, corrected: fallback, used: `[${(fallback as number[]).join(', ')}]` };
    case 'initParams': {
      // The shape only; the engine checks the values against K and D and names the entry that is wrong.
      const p = raw as Record<string, unknown>;
      const numbers = (a: unknown) => Array.isArray(a) && a.every((x) => isFiniteNumber(x));
      if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && numbers(p.weights) && Array.isArray(p.means) && p.means.every(numbers)) {
        const value: InitParams = { weights: p.weights as number[], means: p.means as number[][], ...(p.covariances !== undefined ? { covariances: p.covariances } : {}) };
        return { ok: true, value };
      }
      return { ok: false, corrected: undefined, used: 'the initialisation in mixscope.init' };
    }
  }
}

function problemFor(spec: SettingSpec, raw: unknown, source: OptionsSource, used: string): SettingProblem {
  const message =
    source === 'settings'
      ? `mixscope.${spec.key} must be ${describeExpectation(spec)}; got ${describeValue(raw)}`
      : `${spec.key} must be ${describeExpectation(spec)}, got ${describeValue(raw)}.`;
  return { key: spec.key, message, used };
}

/** Fit settings a restored panel state may lack (saved by an earlier version): they take their defaults. */
export const ADDED_LATER: ReadonlySet<string> = new Set(['kRange', 'covarianceModels', 'criterion']);
/** Other fit settings added after panels were first saved (restored without them: their defaults). */
const ADDED_SINCE: ReadonlySet<string> = new Set(['labelColumn', 'weightsColumn', 'missing', 'categorical', 'categoryLimit', 'countColumns']);

const INIT_PARAMS_MISSING = 'init is "params" but no initial parameters were given (setting mixscope.initParams, CLI: --init-params FILE.json).';

/**
 * The one validator of fit options, used by every entry point (see OptionsSource for what each source does with a
 * bad value). Unknown keys are ignored. With valid initParams from the settings, init becomes "params"; from any
 * source, init "params" needs valid initParams.
 */
export function validateFitOptions(raw: unknown, source: OptionsSource): OptionsValidation {
  const problems: SettingProblem[] = [];
  const record = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  if (!record) {
    problems.push({ key: '', message: `options must be an object; got ${describeValue(raw)}.`, used: 'the defaults' });
    return { options: { ...DEFAULT_FIT_OPTIONS, columns: [], categorical: [], countColumns: [], betaPrior: [...DEFAULT_FIT_OPTIONS.betaPrior] }, problems };
  }
  if (source === 'restored') {
    // A panel saved before the model-selection settings existed lacks them: they take their defaults.
    const missing = FIT_SETTINGS.filter((s) => s.default !== null && record[s.key] === undefined && !ADDED_LATER.has(s.key) && !ADDED_SINCE.has(s.key)).map((s) => s.key);
    if (missing.length > 0) problems.push({ key: missing[0], message: `missing ${missing.join(', ')}.`, used: 'the defaults' });
  }
  const options: Record<string, unknown> = {};
  for (const spec of FIT_SETTINGS) {
    const value = record[spec.key];
    // Unset: undefined anywhere; null too in settings.json (VS Code's "not set" for initParams).
    if (value === undefined || (value === null && (source === 'settings' || spec.kind === 'initParams'))) {
      if (spec.default !== null) options[spec.key] = copyDefault(spec);
      continue;
    }
    const checked = checkValue(spec, value);
    if (checked.ok) options[spec.key] = checked.value;
    else {
      problems.push(problemFor(spec, value, source, checked.used));
      if (checked.corrected !== undefined) options[spec.key] = checked.corrected;
    }
  }
  if (options.init === 'params' && options.initParams === undefined) {
    const initSpec = settingSpec('init');
    if (source === 'settings') {
      problems.push(problemFor(initSpec, 'params', source, `the default ${String(initSpec.default)}`));
      options.init = initSpec.default;
    } else if (!problems.some((p) => p.key === 'initParams')) {
      problems.push({ key: 'init', message: INIT_PARAMS_MISSING, used: `the default ${String(initSpec.default)}` });
    }
  }
  if (source === 'settings' && options.initParams !== undefined) options.init = 'params';
  return { options: options as unknown as FitOptions, problems };
}

/** A value as users write it: `auto`, `[2, 2]`, `1e-6`, `null`. */
export function formatValue(spec: SettingSpec, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return spec.kind === 'stringList' ? JSON.stringify(value) : `[${value.join(', ')}]`;
  if (typeof value === 'number' && value !== 0 && Math.abs(value) < 1e-4) return value.toExponential().replace(/e-0*/, 'e-');
  if (value === '') return '""';
  return String(value);
}
