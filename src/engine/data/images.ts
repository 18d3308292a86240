// Turning a numeric table into images when its rows look like pixels, and the image shape rules shared by all loaders.

import type { ImageData, TableData } from './dataset';

/** Fewest pixels for a table to be read as images without an explicit image width. */
export const MIN_IMAGE_PIXELS = 16;

/**
 * Image shape for `d` pixels per row: the given width when it divides d, else a square when d is a perfect square,
 * else undefined.
 */
export function imageShape(d: number, imageWidth?: number): [number, number] | undefined {
  if (!(d > 0)) return undefined;
  if (imageWidth !== undefined && Number.isInteger(imageWidth) && imageWidth > 0 && d % imageWidth === 0) {
    return [d / imageWidth, imageWidth];
  }
  const side = Math.round(Math.sqrt(d));
  if (side * side === d) return [side, side];
  return undefined;
}

/**
 * The value that stands for "fully on", from the largest value: the nominal full scale — 1 (0/1 or [0, 1] data), 16
 * (the 4-bit digit sets: sklearn's load_digits, UCI optdigits) or 255 (bytes) — that the data reach the upper half
 * of, else the data's own maximum. (On a 0..255 scale every pixel of 0..16 digits would binarise to "off".)
 */
export function pixelScale(maxValue: number): number {
  if (maxValue <= 1) return 1;
  if (maxValue > 8 && maxValue <= 16) return 16;
  if (maxValue >= 128) return 255;
  return maxValue;
}

/**
 * Images from a table when it looks like image data: at least 16 columns (or an explicit image width that divides
 * them), every value an integer in 0..255 or every value in [0, 1], and a known shape (width given, or square).
 * Integral values become a Uint8Array (1 byte per pixel), values in [0, 1] a Float32Array. Else undefined.
 */
export function asImages(table: TableData, imageWidth?: number): ImageData | undefined {
  const { n, d, values } = table;
  if (n < 1 || d < 1) return undefined;
  const widthGiven = imageWidth !== undefined && imageWidth > 0 && d % imageWidth === 0;
  if (d < MIN_IMAGE_PIXELS && !widthGiven) return undefined;
  const shape = imageShape(d, imageWidth);
  if (!shape) return undefined;
  let integral = true;
  let unit = true;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 255)) return undefined; // also rejects NaN
    if (v > max) max = v;
    if (v > 1) unit = false;
    if (integral && !Number.isInteger(v)) integral = false;
    if (!integral && !unit) return undefined;
  }
  let pixels: Uint8Array | Float32Array;
  if (integral) {
    pixels = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) pixels[i] = values[i];
  } else {
    pixels = Float32Array.from(values);
  }
  const scale = integral ? pixelScale(max) : 1;
  return {
    kind: 'images',
    n,
    d,
    height: shape[0],
    width: shape[1],
    pixels,
    scale,
    labels: table.labels,
    labelNames: table.labelNames,
    summary: {
      ...table.summary,
      imageShape: shape,
      notes: [...table.summary.notes, `read as ${n} images of ${shape[0]}×${shape[1]} pixels (values ${integral ? `0..${max}${scale > 1 ? `, ${scale} = fully on` : ''}` : 'in [0, 1]'})`],
    },
  };
}
