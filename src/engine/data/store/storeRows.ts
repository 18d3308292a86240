// The column store's rows as the out-of-core fits read them: in chunks (a RowSource: the numeric columns transformed,
// the categorical codes recoded to the in-memory loader's order, the case weights, the known labels as codes), or a
// few rows by index.

import type { ChunkLabels } from '../../em/streamedEm';
import type { RowSource } from '../../em/streaming';
import type { ColumnStoreInfo, ColumnStoreReader } from './columnStore';

export interface ColumnTransform {
  shift: Float64Array;
  scale: Float64Array;
  /** No scaling: the shift only moves columns with a large offset (centreOffsetColumns' rule), reported back. */
  centresOnly: boolean;
}

/** No transform: every column as stored. */
export function identityTransform(d: number): ColumnTransform {
  return { shift: new Float64Array(d), scale: new Float64Array(d).fill(1), centresOnly: true };
}

/** standardize: z-scores; otherwise the in-memory fit's centring of columns whose offset dwarfs their spread. */
export function columnTransform(store: ColumnStoreInfo, standardize: boolean): ColumnTransform {
  const d = store.columns.length;
  const shift = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  store.columns.forEach((c, j) => {
    if (standardize) {
      shift[j] = c.mean;
      scale[j] = c.sd || 1;
    } else if (c.mean !== 0 && Math.abs(c.mean) > 1000 * c.sd) {
      shift[j] = c.mean;
    }
  });
  return { shift, scale, centresOnly: !standardize };
}

/**
 * The label column of a store (never fitted): stored last as codes in order of first appearance; `recode[code]` is the
 * code in labelCodes' order (em/metrics.ts), whose labels are `values` (integers, or indices into `names` for text).
 */
export interface StoredLabels {
  column: string;
  recode: Int32Array;
  values: number[];
  names?: string[];
}

/** How the store's columns beyond the numeric ones are laid out: categorical codes (with their recoding), weights, labels. */
export interface StoreExtras {
  recode?: Int32Array[];
  weighted?: boolean;
  labels?: StoredLabels;
}

/**
 * The store's rows in chunks: the numeric columns (transformed) in `buffer`, the categorical codes (in the in-memory
 * loader's order) in `codes`, the case weights in `weights`.
 */
export function storeSource(reader: ColumnStoreReader, chunkRows: number, t: ColumnTransform, onPass?: (pass: number, rowsDone: number, n: number) => void, extras: StoreExtras = {}): RowSource {
  const n = reader.n;
  const stride = reader.d;
  const dc = extras.recode?.length ?? 0;
  const labelled = extras.labels ? 1 : 0;
  const d = stride - dc - (extras.weighted ? 1 : 0) - labelled;
  let pass = 0;
  const buffer = new Float64Array(chunkRows * d);
  const weights = extras.weighted ? new Float64Array(chunkRows) : undefined;
  const labels: ChunkLabels | undefined = extras.labels ? { codes: new Int32Array(chunkRows), values: extras.labels.values, ...(extras.labels.names ? { names: extras.labels.names } : {}) } : undefined;
  const codes = dc > 0 ? new Int32Array(chunkRows * dc) : undefined;
  const raw = stride === d ? buffer : new Float64Array(chunkRows * stride);
  const identity = t.shift.every((s) => s === 0) && t.scale.every((s) => s === 1);
  return {
    n,
    d,
    chunkRows,
    buffer,
    weights,
    codes,
    categoryColumns: dc,
    labels,
    forEachChunk(visit) {
      pass++;
      for (let start = 0; start < n; start += chunkRows) {
        const rows = Math.min(chunkRows, n - start);
        reader.read(start, rows, raw);
        if (raw !== buffer) splitRows(raw, rows, stride, d, extras.recode, buffer, codes, weights);
        if (labels) {
          const recode = extras.labels!.recode;
          for (let i = 0; i < rows; i++) labels.codes[i] = recode[raw[i * stride + stride - 1]];
        }
        if (!identity) for (let i = 0; i < rows * d; i++) buffer[i] = (buffer[i] - t.shift[i % d]) / t.scale[i % d];
        visit(rows, start);
        onPass?.(pass, start + rows, n);
      }
    },
  };
}

/** Stored rows (stride values each) into the numeric columns, the recoded categories and the weights. */
function splitRows(raw: Float64Array, rows: number, stride: number, d: number, recode: Int32Array[] | undefined, values: Float64Array, codes?: Int32Array, weights?: Float64Array): void {
  const dc = recode?.length ?? 0;
  for (let i = 0; i < rows; i++) {
    const o = i * stride;
    for (let c = 0; c < d; c++) values[i * d + c] = raw[o + c];
    for (let c = 0; c < dc; c++) {
      const code = raw[o + d + c];
      codes![i * dc + c] = code < 0 ? -1 : recode![c][code];
    }
    if (weights) weights[i] = raw[o + d + dc];
  }
}

/**
 * The rows at `indices` (increasing), read from the store one by one: the numeric columns transformed as the source's
 * rows, then the categorical codes in the loader's order (no weights).
 */
export function readRowsAt(reader: ColumnStoreReader, indices: Int32Array, out: Float64Array, t: ColumnTransform, recode?: Int32Array[]): void {
  const d = t.shift.length;
  const dc = recode?.length ?? 0;
  const row = new Float64Array(reader.d);
  for (let p = 0; p < indices.length; p++) {
    reader.read(indices[p], 1, row);
    const o = p * (d + dc);
    for (let c = 0; c < d; c++) out[o + c] = (row[c] - t.shift[c]) / t.scale[c];
    for (let c = 0; c < dc; c++) out[o + d + c] = row[d + c] < 0 ? -1 : recode![c][row[d + c]];
  }
}

/** The rows at `indices` (increasing), in one pass. */
export function gatherRows(source: RowSource, indices: number[], weights?: Float64Array): Float64Array {
  const { d, buffer } = source;
  const out = new Float64Array(indices.length * d);
  let p = 0;
  source.forEachChunk((rows, start) => {
    while (p < indices.length && indices[p] < start + rows) {
      const i = indices[p] - start;
      for (let c = 0; c < d; c++) out[p * d + c] = buffer[i * d + c];
      if (weights) weights[p] = source.weights![i];
      p++;
    }
  });
  return out;
}

/**
 * The Gaussian family's standardisation with case weights (prepare.ts's standardizeColumns: the mean and sd of the
 * rows repeated w_i times), from two passes over a weighted source of the columns as stored.
 */
export function weightedStandardization(source: RowSource): ColumnTransform {
  const { d, buffer } = source;
  const weights = source.weights!;
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  let total = 0;
  source.forEachChunk((rows) => {
    for (let i = 0; i < rows; i++) {
      total += weights[i];
      for (let j = 0; j < d; j++) mean[j] += weights[i] * buffer[i * d + j];
    }
  });
  for (let j = 0; j < d; j++) mean[j] /= total;
  source.forEachChunk((rows) => {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < d; j++) {
        const c = buffer[i * d + j] - mean[j];
        m2[j] += weights[i] * c * c;
      }
    }
  });
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(m2[j] / total) || 1;
  return { shift: mean, scale: sd, centresOnly: false };
}
