// The one typed message protocol shared by the extension host, the engine worker and the webview.
// Plain data only (structured-clone safe): no classes, no functions. No `vscode` import here.

export type { ModelChoice, ModelKind, CovarianceType, SklearnCovarianceType, MclustCovarianceModel, InitMethod, EmVariant, InitParams, FitOptions } from './settings';
export { DEFAULT_FIT_OPTIONS, LIMITS } from './settings';
import type { ModelKind, CovarianceType, EmVariant, FitOptions } from './settings';
import type { PackedResult } from './wire';
import type { RunSummary } from './history';
export type { RunSummary } from './history';

/** What was read from the file, reported to the user. */
export interface DatasetSummary {
  fileName: string;
  /** Rows used in the fit. */
  n: number;
  /** Features used in the fit. */
  d: number;
  columns: string[];
  /** Columns present in the file but left out of the fit, with why. */
  droppedColumns: { name: string; reason: string }[];
  /** Rows skipped (missing / non-finite values), counted never silently. */
  skippedRows: number;
  /** First few skipped line numbers (1-based), for the message. */
  skippedLines: number[];
  /** Free-form notes of the loader: delimiter, header, preamble lines, index column… */
  notes: string[];
  /** A mixed fit's count columns (its Poisson block), so the panel can name its rates while the fit runs. */
  countColumns?: string[];
  /** Images: [height, width]. */
  imageShape?: [number, number];
  hasLabels?: boolean;
  /** How the rows were read, so that a saved model can read another file (or emit code that reads this one) alike. */
  source?: DataSource;
}

/** The reading of a data file, as a saved model and its emitted scripts repeat it. */
export interface DataSource {
  /** Format registry id ('delimited-text', 'idx', 'npy'). */
  format: string;
  /** The file was gzip-compressed. */
  gzip?: boolean;
  /** Delimited text: where the table is and which fields were fitted. */
  text?: TextLayout;
  /** Images: the value that means "fully on" (255 for bytes, 1 for 0..1 data). */
  pixelScale?: number;  /** Workbooks: the name of the sheet read. */
  sheet?: string;
}

export interface TextLayout {
  /** ',', '\t', ';', '|', or ' ' for runs of spaces and tabs. */
  delimiter: string;
  decimalComma: boolean;
  /** 0-based line of the table's first row; blank and comment (# or %) lines below it are passed over. */
  tableStart: number;
  /** Fields per row; rows with another count are skipped. */
  fields: number;
  /** A delimiter ends every line (its empty last field is not a column). */
  trailingDelimiter: boolean;
  /** 0-based field of each fitted column, in the order of `columns`. */
  columnFields: number[];
  /** 0-based field of each categorical column, in the order of the fit's `categories`. */
  categoricalFields?: number[];
  /** A saved mixed model with count columns: 0-based field of each, in the order of its `countColumns`. */
  countFields?: number[];
  /**
   * The label column kept apart from the fit: rows whose label is not an integer are skipped, or, with text labels
   * (labelText), rows whose label cell is missing.
   */
  labelField?: number;
  labelColumn?: string;
  labelText?: boolean;
  /** 0-based field of the case weights (weightsColumn): read on every row of the right width, as the fit read it. */
  weightsField?: number;
  /** The rows were read as pixel rows (bytes): a row with a missing cell is skipped whatever the missing setting. */
  pixelRows?: boolean;
}

/** Parameters at one iteration; small enough to send every iteration. */
export interface GaussianSnapshot {
  model: 'gaussian';
  iteration: number;
  weights: number[];
  means: number[][];
  /** Always expanded to K × D × D whatever the covariance type. */
  covariances: number[][][];
  /** With known labels: clusters × labels counts of this iteration's assignments (columns: LabelMetrics.labelValues). */
  confusion?: number[][];
}

export interface BernoulliSnapshot {
  model: 'bernoulli';
  iteration: number;
  weights: number[];
  /** K × D pixel probabilities. */
  means: number[][];
  /** Cluster sizes (hard counts) at this iteration. */
  sizes: number[];
  /** With known labels: clusters × labels counts of this iteration's assignments (columns: LabelMetrics.labelValues). */
  confusion?: number[][];
}

export interface PoissonSnapshot {
  model: 'poisson';
  iteration: number;
  weights: number[];
  /** K × D Poisson rates λ (the expected count of each column in each cluster). */
  means: number[][];
  /** Cluster sizes (hard counts) at this iteration. */
  sizes: number[];
  /** With known labels: clusters × labels counts of this iteration's assignments (columns: LabelMetrics.labelValues). */
  confusion?: number[][];
}

export interface CategoricalSnapshot {
  model: 'categorical';
  iteration: number;
  weights: number[];
  /**
   * K × L category probabilities, L = the categories of every column in turn (FitResult.categories gives each
   * column's categories, in this order).
   */
  means: number[][];
  /** Cluster sizes (hard counts) at this iteration. */
  sizes: number[];
  /** With labels: this iteration's cluster × label counts (as LabelMetrics.confusion), so the heatmap can follow the scrubber. */
  confusion?: number[][];
}

export interface MixedSnapshot {
  model: 'mixed';
  iteration: number;
  weights: number[];
  /** The Gaussian block: K × D means of the continuous columns (FitResult.columns); K × 0 without one. */
  means: number[][];
  /** The Gaussian block: K × D × D covariances, expanded whatever the covariance model. */
  covariances: number[][][];
  /** The categorical block: K × L category probabilities, as CategoricalSnapshot.means (FitResult.categories); K × 0 without one. */
  probabilities: number[][];
  /** The Poisson block (count columns, FitResult.countColumns): K × counts rates λ; absent without count columns. */
  rates?: number[][];
  /** Cluster sizes (hard counts) at this iteration. */
  sizes: number[];
  /** With labels: this iteration's cluster × label counts (as LabelMetrics.confusion). */
  confusion?: number[][];
}

export type ParamsSnapshot = GaussianSnapshot | BernoulliSnapshot | PoissonSnapshot | CategoricalSnapshot | MixedSnapshot;

export interface LabelMetrics {
  /** Many-to-one: each cluster mapped to its majority label (= overall purity). See engine/metrics.ts. */
  accuracy: number;
  /** Best one-to-one cluster → label map (Hungarian), given when K equals the number of distinct labels. */
  oneToOneAccuracy?: number;
  adjustedRandIndex: number;
  normalizedMutualInfo: number;
  /** Per cluster: majority label and purity (and, for text labels, the majority label's name). */
  clusters: { majorityLabel: number; majorityLabelName?: string; purity: number; size: number }[];
  /** confusion[k][label] counts. */
  confusion: number[][];
  labelValues: number[];
  /** Text labels (a column such as iris's species): the name of each of labelValues, which are then its codes. */
  labelNames?: string[];
}

export interface FitResult {
  model: ModelKind;
  /** Why `auto` picked this model (or 'chosen by the user'). */
  modelReason: string;
  k: number;
  /** Rows used in the fit. */
  n: number;
  /** Gaussian with a weights column: its name and Σ w_i, the n of BIC and of the convergence rule. */
  caseWeights?: { column: string; total: number };
  /** Gaussian with missing cells fitted: missing cells per column (in `columns` order); missing at random is assumed. */
  missingCells?: number[];
  /** The plotted rows with missing cells (PlotSample.incompleteRows) at E[x | observed cells] under the fit, row-major, in the plotted units. */
  imputedPlot?: { rows: number[]; values: number[] };
  d: number;
  columns: string[];
  converged: boolean;
  iterations: number;
  /** Total natural-log likelihood ln p(X | θ) of the final parameters. */
  logLikelihood: number;
  /** Objective after each iteration (index 0 = the starting parameters): ln p(X|θ), plus ln p(θ) with a prior. */
  trace: number[];
  /** Plain log-likelihood per iteration when a prior makes the trace differ from it. */
  logLikelihoodTrace?: number[];
  weights: number[];
  means: number[][];
  /** Gaussian: K × D × D (expanded), whatever the covariance type or mclust model. */
  covariances?: number[][][];
  /** Gaussian: the type or mclust model fitted (on one column an mclust name is reported as E or V). */
  covarianceType?: CovarianceType;
  emVariant?: EmVariant;
  /** Hard assignment (argmax responsibility) per used row (out of core: per row of `assignedRows`). */
  assignments: number[];
  /**
   * Out of core: the rows (0-based, increasing) that `assignments` gives, an evenly drawn sample (the plotted rows);
   * absent when `assignments` covers every row.
   */
  assignedRows?: number[];
  /** scikit-learn's sign, lower is better: −2 ln L + p ln n (p = `parameters`). */
  bic: number;
  /** Lower is better: −2 ln L + 2p. */
  aic: number;
  /** Gaussian: BIC in mclust's sign, higher is better: 2 ln L − p ln n (= −bic). */
  mclustBic?: number;
  /** Gaussian: mclust's ICL, higher is better: mclustBic + 2 Σ_i ln max_k r_ik (r: the final responsibilities). */
  icl?: number;
  /** Gaussian: free parameters p of the model (mclust's nMclustParams; scikit-learn's _n_parameters, the same count). */
  parameters?: number;
  /** Present when the columns were standardised (parameters are in standardised units). */
  standardization?: { mean: number[]; sd: number[] };
  /** One per iteration, index 0 = start. */
  snapshots: ParamsSnapshot[];
  restartObjectives: number[];
  labelMetrics?: LabelMetrics;
  imageShape?: [number, number];
  elapsedMs: number;
  /** What the engine did that a user may want to know (threads used, identical starts separated…). */
  notes?: string[];
  /**
   * Present when some component is degenerate (on too few distinct points, or its covariance at the regularisation
   * floor): the log-likelihood is then not a model, whatever `converged` says. Show this instead of "Converged".
   */
  degenerate?: DegenerateComponent[];
  /**
   * Present when several candidates (K × covariance models) were fitted and this one chosen: every candidate's
   * scores, for the selection chart and the CLI's `selection`.
   */
  selection?: Selection;
  /**
   * Poisson: K × D rates λ (the same numbers as `means`, named as flexmix and the CLI's --json name them); mixed with
   * count columns: its Poisson block's K × countColumns rates.
   */
  rates?: number[][];
  /** Mixed: the count columns (the countColumns setting) its Poisson block fits, in the order of `rates`' columns. */
  countColumns?: string[];
  /** Mixed: missing cells per count column (in `countColumns` order), left out of their rows' Poisson product. */
  missingCountCells?: number[];
  /** Categorical: each fitted column's categories, in the order of the probabilities. */
  categories?: { column: string; levels: string[] }[];
  /** Categorical: K × column × category probabilities (each cluster's answer profile). */
  probabilities?: number[][][];
  /** Poisson (and a mixed fit's count columns): each count column's frequencies, for the panel's histograms with the fitted probabilities. */
  countHistograms?: CountHistogram[];
  /**
   * Gaussian fits with d ≥ 2 and K ≥ 2: mclust's MclustDR directions (the directions that best separate the fitted
   * components, Scrucca 2010) of the fitted values, a projection of the panel beside the principal axes. axes: unit
   * rows, most separating first (at most K − 1); eigenvalues: all d of MclustDR's kernel, decreasing.
   */
  dimensionReduction?: { mean: number[]; axes: number[][]; eigenvalues: number[] };
  /** Gaussian fits with K ≥ 2: the rows whose cluster is least certain (1 − max_k r_ik), most uncertain first. */
  uncertainRows?: UncertainRow[];
  /** covarianceType "variational": how many components the data kept (weight above 0.01) and the final lower bound. */
  variational?: { effectiveComponents: number; lowerBound: number; weightPrior: string };
  /**
   * Present when this is a saved model applied to the file, not a fit: its parameters as saved, scored on the file's
   * rows by one E-step (no EM iterations: `iterations` is 0 and the trace has one point).
   */
  applied?: AppliedModel;
}

/** The saved model (src/engine/model/schema.ts) whose parameters a result shows on another file. */
export interface AppliedModel {
  /** The model file's name ("faithful.model.json"). */
  modelFile: string;
  /** The file the model was fitted to, its rows and its log-likelihood there. */
  fittedTo: string;
  fittedRows: number;
  fittedLogLikelihood: number;
  /** Gaussian: the covariance model as saved (scikit-learn's type, an mclust name, or variational). */
  covarianceModel?: string;
}

/** How often each count occurs in one column: frequencies[x] rows have count x (with case weights, their Σ w) (x ≥ tailFrom share the last bar). */
export interface CountHistogram {
  column: string;
  frequencies: number[];
  tailFrom?: number;
}

/** A row of the data and how uncertain its cluster is under the final parameters. */
export interface UncertainRow {
  /** 0-based index among the fitted rows. */
  row: number;
  /** 1-based line of the file it was read from (formats read by lines). */
  line?: number;
  /** 1 − max_k r_ik (0: certain; at most 1 − 1/K). */
  uncertainty: number;
  /** Its most likely component (0-based). */
  component: number;
}

/** Which score picks the model: all three in scikit-learn's sign, lower is better. */
export type SelectionCriterion = 'bic' | 'icl' | 'aic';

/**
 * One candidate of a model selection. Scores in scikit-learn's sign, lower is better: bic = −2 ln L + p ln n (mclust
 * reports 2 ln L − p ln n, the negative), icl = bic + 2 × the entropy of the responsibilities (−mclust's ICL),
 * aic = −2 ln L + 2p. null when the fit failed or is degenerate: such a candidate is never chosen.
 */
export interface SelectionEntry {
  k: number;
  /** The mclust name of the covariance model (EII … VVV; E, V for one column); for Bernoulli fits 'bernoulli'. */
  covariance: string;
  logLikelihood: number | null;
  parameters: number;
  bic: number | null;
  icl: number | null;
  aic: number | null;
  iterations: number;
  converged: boolean;
  degenerate: boolean;
  /** Why the candidate is degenerate, failed or skipped (too few rows for K, no starting partition). */
  reason?: string;
  /** The candidate's final parameters, when small enough to keep (d ≤ 20), so the panel can show any of them. */
  params?: { weights: number[]; means: number[][]; covariances?: number[][][] };
  /** Gaussian candidates with K ≥ 2: their own MclustDR directions (as FitResult's), for the panel's DR axes. */
  dimensionReduction?: { mean: number[]; axes: number[][]; eigenvalues: number[] };
}

export interface Selection {
  criterion: SelectionCriterion;
  /** The K values and models swept, in the order of `entries` (K-major: entries[i × models.length + j]). */
  ks: number[];
  models: string[];
  entries: SelectionEntry[];
  /** The chosen candidate (lowest criterion among the usable ones); null when none could be used. */
  chosen: { k: number; covariance: string } | null;
  /** The sweep was stopped: `entries` holds the candidates that finished (the others have reason "cancelled"). */
  cancelled?: boolean;
}

/** A degenerate component of a fit: `component` is 0-based (−1 for the shared covariance of a tied fit). */
export interface DegenerateComponent {
  component: number;
  reason: string;
}

// ---------------------------------------------------------------- host <-> worker

export type HostToWorker =
  /** apply: instead of fitting, show a saved model (its JSON text) on the file, as a result the panel draws. */
  | { type: 'start'; runId: number; fileName: string; bytes: Uint8Array; options: FitOptions; labelBytes?: Uint8Array; labelFileName?: string; apply?: ApplyModelInput }
  /**
   * A delimited text file over the memory budget, on this machine's disk: the worker streams it from `filePath`
   * (engine/outOfCore.ts) instead of receiving its bytes; the host never reads it.
   */
  | { type: 'startOutOfCore'; runId: number; fileName: string; filePath: string; options: FitOptions; memoryBudgetMB: number }
  | { type: 'cancel'; runId: number }
  /** A request that needs a reply: the worker answers with a WorkerReply carrying the same requestId. */
  | InspectRequest;

/** A saved model to apply to a run's file: its file name (for messages) and its JSON text. */
export interface ApplyModelInput {
  modelFileName: string;
  modelText: string;
}

/** Read the columns of (the start of) a file without fitting anything; answered by `inspected` or `requestFailed`. */
export interface InspectRequest {
  type: 'inspect';
  requestId: number;
  fileName: string;
  bytes: Uint8Array;
  options: FitOptions;
}

/** The columns a user can pick for a fit, as read by the loader. */
export interface ColumnListing {
  /** Numeric columns, fitted when none is chosen. */
  columns: string[];
  /** Columns left out, with why (text cells, a label column, a row index). */
  droppedColumns: { name: string; reason: string }[];
  /** Images: [height, width] (every pixel is used, nothing to pick). */
  imageShape?: [number, number];
  notes: string[];
  /** Workbooks: every sheet and whether it holds a numeric table (the columns are those of the sheet read). */
  sheets?: { name: string; numeric: boolean }[];
}

/** The worker's answer to a request (never mixed with a run's fit events). */
export type WorkerReply =
  | { type: 'inspected'; requestId: number; listing: ColumnListing }
  | { type: 'requestFailed'; requestId: number; kind: 'data' | 'fit' | 'internal'; message: string };

/** Points sent for plotting: evenly sampled, at most maxPlotPoints rows, all fitted columns (row-major). */
export interface PlotSample {
  indices: number[];
  values: number[];
  d: number;
  /**
   * Gaussian fits with d > 2: the first two principal axes of the fitted values (standardised when the fit is), the
   * panel's default view. axes: 2 × d unit rows; explained: each one's fraction of the total variance.
   */
  projection?: { mean: number[]; axes: number[][]; explained: number[] };
  /**
   * Rows (of `indices`) with missing cells: drawn with their own point shape, at their conditional expectation once
   * the fit ends (FitResult.imputedPlot), at their columns' observed means before.
   */
  incompleteRows?: number[];
}

/** A few member images per cluster (Bernoulli): most and least typical, pixel values 0..1. */
export interface ClusterExamples {
  cluster: number;
  typical: number[][];
  atypical: number[][];
}

export type WorkerToHost =
  | { type: 'loaded'; runId: number; summary: DatasetSummary; model: ModelKind; modelReason: string; plotSample?: PlotSample }
  | { type: 'progress'; runId: number; restart: number; iteration: number; objective: number; logLikelihood: number; snapshot: ParamsSnapshot }
  | SelectionProgress
  | { type: 'done'; runId: number; result: FitResult; plotAssignments?: number[]; examples?: ClusterExamples[] }
  | { type: 'error'; runId: number; kind: 'data' | 'fit' | 'internal'; message: string }
  | StreamProgress
  /** Out of core: the temporary store folder now exists; the host removes it once the worker has ended. */
  | { type: 'storeCreated'; runId: number; dir: string };

/**
 * Out of core: how far the streaming parse (bytes of the file) or one pass over the stored rows (rows of n) has got.
 * Forwarded to the panel as it is.
 */
export interface StreamProgress {
  type: 'streamProgress';
  runId: number;
  phase: 'parse' | 'pass';
  done: number;
  total: number;
  /** The pass over the stored rows, 1-based (phase "pass"). */
  pass?: number;
}

/** A model selection finished one more candidate (`done` of `total`); forwarded unchanged to the panel. */
export interface SelectionProgress {
  type: 'selectionProgress';
  runId: number;
  criterion: SelectionCriterion;
  ks: number[];
  models: string[];
  entry: SelectionEntry;
  done: number;
  total: number;
}

// ---------------------------------------------------------------- host <-> webview

export interface PanelState {
  fileName: string;
  /** File URI as a string, so the panel can be restored after reload. */
  fileUri: string;
  options: FitOptions;
  summary?: DatasetSummary;
  model?: ModelKind;
  plotSample?: PlotSample;
  result?: FitResult;
  plotAssignments?: number[];
  examples?: ClusterExamples[];
  /** The finished runs of this file, oldest first (bounded; see src/host/runHistory.ts). */
  history?: RunSummary[];
}

export type HostToWebview =
  /** fileUri (optional): lets the webview keep PanelState.fileUri for the serializer. */
  /** applying: the run shows this saved model on the file instead of fitting it. */
  | { type: 'fitStarted'; runId: number; fileName: string; options: FitOptions; fileUri?: string; applying?: string }
  | { type: 'loaded'; runId: number; summary: DatasetSummary; model: ModelKind; modelReason: string; plotSample?: PlotSample }
  | { type: 'progress'; runId: number; restart: number; iteration: number; objective: number; logLikelihood: number; snapshot: ParamsSnapshot }
  | SelectionProgress
  | StreamProgress
  /** packed: the result's snapshots and assignments as typed arrays (shared/wire.ts); unpacked on arrival. */
  /** history: the file's finished runs, this one last. */
  | { type: 'done'; runId: number; result: FitResult; plotAssignments?: number[]; examples?: ClusterExamples[]; packed?: PackedResult; history?: RunSummary[] }
  /** The file's finished runs, when the panel (re)loads while a run is going. */
  | { type: 'history'; runs: RunSummary[] }
  | { type: 'error'; runId: number; message: string }
  | { type: 'cancelled'; runId: number }
  | { type: 'restore'; state: PanelState; packed?: PackedResult }
  /** The answer to an `export` from the panel (requestId echoed when the panel gave one). */
  | ExportReply;

/**
 * How an export from the panel ended: written (to `fileName`), refused (the data file), failed, or cancelled; for the
 * "Reproduce in code" buttons, copied (to the clipboard) or opened (as a new editor).
 */
export interface ExportReply {
  type: 'exported';
  requestId?: number;
  outcome: 'written' | 'refused' | 'failed' | 'cancelled' | 'copied' | 'opened';
  /** One sentence for the panel: "Saved the scatter chart to faithful.scatter.png." */
  message: string;
  fileName?: string;
}

export type WebviewToHost =
  /** The panel's document is alive (its inline boot script ran); its bundle is loading. */
  | { type: 'loading' }
  /** The panel's bundle could not be loaded (VS Code web's webview service worker did not serve it). */
  | { type: 'loadFailed'; resource: 'script' }
  | { type: 'ready' }
  | { type: 'rerun'; k: number | 'auto'; maxIterations: number }
  | { type: 'cancel' }
  /** data: the SVG text for 'svg'; a `data:image/png;base64,…` URL for 'png'. chart: scatter|histogram|loglik|images|confusion. */
  | { type: 'export'; format: 'png' | 'svg'; chart: string; data: string; requestId?: number }
  /** Reproduce the panel's fit in code: copy the script, or open it as a new file ('ask': the host offers the languages). */
  | { type: 'script'; language: 'python' | 'r' | 'ask'; action: 'copy' | 'open'; requestId?: number }
  | { type: 'state'; state: PanelState };

/**
 * One typed dispatcher reused by the worker, the host and the webview: maps each message `type` to its handler.
 * Unknown types go to `onUnknown` rather than throwing, so a bad message never crashes the receiver.
 */
export function createDispatcher<M extends { type: string }>(
  handlers: { [T in M['type']]?: (message: Extract<M, { type: T }>) => void },
  onUnknown: (message: unknown) => void = () => undefined,
): (message: unknown) => void {
  return (message: unknown) => {
    if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string') {
      onUnknown(message);
      return;
    }
    const handler = (handlers as Record<string, ((m: unknown) => void) | undefined>)[(message as { type: string }).type];
    if (handler) handler(message);
    else onUnknown(message);
  };
}
