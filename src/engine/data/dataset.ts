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
  /** A label column found by name (label, class, target, y, digit), excluded from `values`. */
  labels?: Int32Array;
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
  summary: DatasetSummary;
}

export type Dataset = TableData | ImageData;
