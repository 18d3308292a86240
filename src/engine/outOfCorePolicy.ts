// Which files are fitted in memory, which out of core, and which are refused, from their name and size alone: the
// memory budget decides (a file within it is read whole). Shared by the CLI and the extension host; small and free
// of the engine's numerics, so the host can bundle it.

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

/** Whether a file of `bytes` is over a budget of `budgetMB` (or out of core is forced by the environment). */
export function needsOutOfCore(bytes: number, budgetMB: number): boolean {
  return bytes > budgetMB * MB || process.env[FORCE_OUT_OF_CORE_ENV] === 'always';
}

/** Whether the file (by its name and size) is fitted out of core: a streamed format over the budget. */
export function fitsOutOfCore(fileName: string, bytes: number, budgetMB: number): boolean {
  return isOutOfCoreFileName(fileName) && needsOutOfCore(bytes, budgetMB);
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
 * In memory when the file is within the budget; a streamed format (STREAMED_FORMATS) over it is fitted out of core from this machine's
 * disk; anything else over it is refused with why and what to do (never read whole, so never an out-of-memory).
 */
export function planFit(input: PlanInput): FitPlan {
  const { fileName, size, budgetMB, budgetSetting } = input;
  const streamed = isOutOfCoreFileName(fileName);
  if (!(streamed ? needsOutOfCore(size, budgetMB) : size > budgetMB * MB)) return { kind: 'inMemory' };
  const over = size > budgetMB * MB ? `${fileName} is ${formatSize(size)}, over the memory budget of ${budgetMB} MB (${budgetSetting})` : `${fileName} is fitted out of core (${FORCE_OUT_OF_CORE_ENV}=always)`;
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
