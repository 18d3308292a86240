// What a loader hands to the engine. Two shapes: a numeric table (Float64, row-major) and images
// (compact bytes, never a Float64 per pixel: 60,000 × 784 doubles would be 376 MB).

import type { DatasetSummary } from '../../shared/protocol';

export interface TableData {
  kind: 'table';
  /** Rows kept (complete, finite). */
  n: number;
  /** Numeric columns kept. */
  d: number;
  /** n × d, row-major. */
  values: Float64Array;
  columns: string[];
  /** 1-based source line of each kept row (for messages). */
  sourceLines?: Uint32Array;
  /** A label column (by name, a lone class-like text column, or the labelColumn setting), excluded from `values`. */
  labels?: Int32Array;
  /** The name of that label column. */
  labelColumn?: string;
  /** Text labels: the name of each label code (labels[i] indexes it); absent for integer labels. */
  labelNames?: string[];
  /** Case (frequency) weights ≥ 0 of the kept rows, from the weights column; absent: every row weighs 1. */
  weights?: Float64Array;
  /** The name of the weights column. */
  weightsColumn?: string;
  /** n × d, 1 where a cell is missing (its value is NaN); absent when every kept cell is observed. */
  missing?: Uint8Array;
  /** Missing cells per column (with `missing`). */
  missingPerColumn?: number[];
  /**
   * Text columns of a few categories, kept as categorical features (the categorical and mixed families): codes n × d
   * (row-major, −1 = missing) over the same rows as `values`; each column's categories in code order.
   */
  categorical?: { columns: string[]; categories: string[][]; codes: Int32Array };
  summary: DatasetSummary;
}

export interface ImageData {
  kind: 'images';
  n: number;
  /** Pixels per image = height × width. */
  d: number;
  height: number;
  width: number;
  /** n × d row-major intensities; value / scale is in [0, 1]. */
  pixels: Uint8Array | Float32Array;
  /** 255 for bytes 0..255, 1 for 0/1 or 0..1 data. */
  scale: number;
  labels?: Int32Array;
  /** Text labels: the name of each label code. */
  labelNames?: string[];
  /** A table read as images: its case weights (TableData.weights) and their column. */
  weights?: Float64Array;
  weightsColumn?: string;
  /** A table read as images: n × d, 1 where a cell is missing (its pixel is stored as 0); and the count per column. */
  missing?: Uint8Array;
  missingPerColumn?: number[];
  summary: DatasetSummary;
}

export type Dataset = TableData | ImageData;

/** One column of a file as the "Cluster with options…" picker shows it. */
export interface InspectedColumn {
  name: string;
  /** Fitted when no columns are chosen (its cells are numbers). */
  numeric: boolean;
  /** Why a column is not offered (text cells, a label column, a row index), when it is not. */
  reason?: string;
  /** The first few values read (numeric columns only). */
  values: number[];
}

/** What the start of a data file holds, read without fitting anything (`inspectDataset` in load.ts). */
export interface ColumnInspection {
  /** The file's base name. */
  fileName: string;
  /** Registry id of the format that read it ('delimited-text', 'npy', 'idx'). */
  format: string;
  /** The format as a user names it ("Delimited text", "NumPy array"…). */
  formatName: string;
  kind: 'table' | 'images';
  /** The file's columns, numeric ones first; empty for images (every pixel is used). */
  columns: InspectedColumn[];
  /** Images: [height, width]. */
  imageShape?: [number, number];
  /** Rows (or images) found in the part read. */
  rowsRead: number;
  /** The whole file was read (false: only its start, so rowsRead is a lower bound). */
  complete: boolean;
  /** What the loader noticed (delimiter, header, preamble, index column…). */
  notes: string[];
  /** Workbooks: every sheet, and whether it holds a numeric table (the columns are those of the sheet read). */
  sheets?: { name: string; numeric: boolean }[];
}
