// Which files are fitted in memory, which out of core, and which are refused, from their name and size alone: the
// memory budget decides, counting a file as read into memory (its size times its format's factor), not its bytes on
// disk. Shared by the CLI and the extension host; small and free of the engine's numerics, so the host can bundle it.

const MB = 1024 * 1024;
/** Setting this environment variable to "always" fits every file out of core can stream (tests, comparisons). */
export const FORCE_OUT_OF_CORE_ENV = 'MIXSCOPE_OUT_OF_CORE';
/** The names out of core can stream: uncompressed delimited text, Parquet, Arrow IPC / Feather, JSON, JSON Lines, NumPy, IDX, Excel. */
const TEXT_NAME = /\.(csv|tsv|txt|dat|data)$/i;
const PARQUET_NAME = /\.parquet$/i;
const ARROW_NAME = /\.(arrow|arrows|feather)$/i;
const JSON_NAME = /\.json$/i;
const JSON_LINES_NAME = /\.(ndjson|jsonl)$/i;
const NPY_NAME = /\.npy$/i;
const IDX_NAME = /[-.]idx3-ubyte$/i;
const EXCEL_NAME = /\.xlsx$/i;

export type StreamedFormat = 'text' | 'parquet' | 'arrow' | 'json' | 'json-lines' | 'npy' | 'idx' | 'xlsx';

/** How out of core streams this file, from its name; undefined when it cannot. */
export function streamedFormatOf(fileName: string): StreamedFormat | undefined {
  if (TEXT_NAME.test(fileName)) return 'text';
  if (PARQUET_NAME.test(fileName)) return 'parquet';
  if (ARROW_NAME.test(fileName)) return 'arrow';
  if (JSON_NAME.test(fileName)) return 'json';
  if (JSON_LINES_NAME.test(fileName)) return 'json-lines';
  if (NPY_NAME.test(fileName)) return 'npy';
  if (IDX_NAME.test(fileName)) return 'idx';
  if (EXCEL_NAME.test(fileName)) return 'xlsx';
  return undefined;
}

/** Whether out of core can read this file (STREAMED_FORMATS). */
export function isOutOfCoreFileName(fileName: string): boolean {
  return streamedFormatOf(fileName) !== undefined;
}

/** What out of core reads, for messages. */
export const STREAMED_FORMATS =
  'uncompressed delimited text (.csv, .tsv, .txt, .dat, .data), Parquet (.parquet), Arrow IPC / Feather (.arrow, .arrows, .feather), JSON (.json), JSON Lines (.ndjson, .jsonl), NumPy (.npy), IDX images (*-idx3-ubyte) and Excel workbooks (.xlsx)';

/**
 * Peak memory of an in-memory fit per byte of its file, by format: the loader's copy of the bytes, its decoded cells
 * or text, the matrix of float64 values and the fit's own arrays (responsibilities, a sample for the plots). Measured
 * with `node bench/outOfCore.mjs --factors` (bench/inMemoryFactors.mjs): two files of about 8 and 32 MB of each format
 * (10 columns of Gaussian blobs, "%.5f" in text, K = 5; IDX: 28 × 28 images, Bernoulli K = 10; Excel: 2.8 and 11 MB)
 * fitted in memory by the CLI; the factor is the growth of peak RSS divided by the growth of the file, rounded up
 * (measured: CSV 4.8, TSV 5.3, Parquet 5.6, Arrow 4.1, JSON 7.1, JSON Lines 5.2, .npy 4.0, IDX 2.0, Excel 13.1).
 */
export const IN_MEMORY_FACTORS: Readonly<Record<StreamedFormat, number>> = {
  text: 6,
  parquet: 6,
  arrow: 5,
  json: 8,
  'json-lines': 6,
  npy: 4,
  idx: 2,
  xlsx: 14,
};

/** A file's in-memory factor from its name (IN_MEMORY_FACTORS); 1 for any other format (a gzip-compressed file: its bytes). */
export function inMemoryFactor(fileName: string): number {
  const format = streamedFormatOf(fileName);
  return format === undefined ? 1 : IN_MEMORY_FACTORS[format];
}

/** What the file takes once read into memory and fitted, in bytes (its size times its format's factor). */
export function inMemoryBytes(fileName: string, bytes: number): number {
  return bytes * inMemoryFactor(fileName);
}

/** Whether the file, read into memory, is over a budget of `budgetMB` (or out of core is forced by the environment). */
export function needsOutOfCore(fileName: string, bytes: number, budgetMB: number): boolean {
  return inMemoryBytes(fileName, bytes) > budgetMB * MB || process.env[FORCE_OUT_OF_CORE_ENV] === 'always';
}

/** Whether the file (by its name and size) is fitted out of core: a streamed format over the budget. */
export function fitsOutOfCore(fileName: string, bytes: number, budgetMB: number): boolean {
  return isOutOfCoreFileName(fileName) && needsOutOfCore(fileName, bytes, budgetMB);
}

/** "big.csv is 300.0 MB (about 1.5 GB once read into memory)": the file's size and what the budget counts. */
export function sizeAsRead(fileName: string, bytes: number): string {
  const factor = inMemoryFactor(fileName);
  return factor === 1 ? formatSize(bytes) : `${formatSize(bytes)} (about ${formatSize(bytes * factor)} once read into memory)`;
}

export type FitPlan = { kind: 'inMemory' } | { kind: 'outOfCore' } | { kind: 'refused'; message: string };

export interface PlanInput {
  fileName: string;
  size: number;
  budgetMB: number;
  /** The file is on this machine's disk (a `file:` URI; always for the CLI): out of core streams it from there. */
  local: boolean;
  /** How the budget setting is named in messages: "mixscope.memoryBudgetMB", or the CLI's "--memory-budget-mb". */
  budgetSetting: string;
  /** Why the file is not on this machine's disk (e.g. "it is in a remote workspace (vscode-remote)"). */
  whyNotLocal?: string;
}

/** "1.5 GB", "12.0 MB". */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * MB) return `${(bytes / (1024 * MB)).toFixed(1)} GB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/**
 * In memory when the file, as read into memory, is within the budget; a streamed format over it is fitted out of core
 * from this machine's disk; anything else over it is refused with why and what to do (never read whole, so never an
 * out-of-memory).
 */
export function planFit(input: PlanInput): FitPlan {
  const { fileName, size, budgetMB, budgetSetting } = input;
  const streamed = isOutOfCoreFileName(fileName);
  const overBudget = inMemoryBytes(fileName, size) > budgetMB * MB;
  if (!(streamed ? needsOutOfCore(fileName, size, budgetMB) : overBudget)) return { kind: 'inMemory' };
  const over = overBudget
    ? `${fileName} is ${sizeAsRead(fileName, size)}, over the memory budget of ${budgetMB} MB (${budgetSetting}, which counts a file as read into memory)`
    : `${fileName} is fitted out of core (${FORCE_OUT_OF_CORE_ENV}=always)`;
  if (!streamed) {
    return {
      kind: 'refused',
      message:
        `${over}, and only ${STREAMED_FORMATS} can be fitted out of core. ` +
        `Save it as CSV or Parquet to fit it out of core, fit a smaller sample of it, or raise ${budgetSetting} if this machine has the memory.`,
    };
  }
  if (!input.local) {
    return {
      kind: 'refused',
      message:
        `${over}, so it would be fitted out of core, which streams the file from this machine's disk, but ${input.whyNotLocal ?? 'it is not on this machine\'s disk'}. ` +
        `Copy it into a local folder and fit it there, or raise ${budgetSetting} if this machine has the memory to read it whole.`,
    };
  }
  return { kind: 'outOfCore' };
}
