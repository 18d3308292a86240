// Small numeric helpers for the charts (pure, no DOM): ellipses of 2-D Gaussians, histograms, 1-D densities.

/** A 2 × 2 symmetric matrix as [σxx, σxy, σyy]. */
export type Cov2 = [number, number, number];

/**
 * Points on the ellipse {x : (x − μ)ᵀ Σ⁻¹ (x − μ) = r²}: x = μ + r L [cos θ, sin θ]ᵀ with L Lᵀ = Σ (Cholesky).
 * Returns `segments + 1` points, the last equal to the first (a closed curve drawn as a line).
 * A covariance that is not positive definite gets a tiny diagonal jitter; if that still fails, null.
 */
export function ellipsePoints(mean: [number, number], cov: Cov2, radius: number, segments = 72): [number, number][] | null {
  let [a, b, c] = cov;
  if (![a, b, c].every(Number.isFinite)) return null;
  let l11 = 0;
  let l21 = 0;
  let l22 = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (a > 0) {
      l11 = Math.sqrt(a);
      l21 = b / l11;
      const rest = c - l21 * l21;
      if (rest > 0) {
        l22 = Math.sqrt(rest);
        break;
      }
    }
    const jitter = 1e-9 * Math.max(1, Math.abs(a), Math.abs(c)) * 10 ** (attempt * 3);
    a += jitter;
    c += jitter;
    l22 = 0;
  }
  if (!(l11 > 0 && l22 > 0)) return null;
  const points: [number, number][] = [];
  for (let s = 0; s <= segments; s++) {
    const theta = (2 * Math.PI * (s % segments)) / segments;
    const u = Math.cos(theta);
    const v = Math.sin(theta);
    points.push([mean[0] + radius * l11 * u, mean[1] + radius * (l21 * u + l22 * v)]);
  }
  return points;
}

/** Squared Mahalanobis distance of p from the mean under the 2 × 2 covariance (for tests and hover text). */
export function mahalanobis2(p: [number, number], mean: [number, number], cov: Cov2): number {
  const [a, b, c] = cov;
  const det = a * c - b * b;
  const dx = p[0] - mean[0];
  const dy = p[1] - mean[1];
  return (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
}

export interface Histogram {
  /** Left edges, then the right edge of the last bin: bins + 1 numbers. */
  edges: number[];
  counts: number[];
  width: number;
}

/** Equal-width histogram of the finite values; `bins` defaults to ⌈√n⌉ clamped to [8, 60]. */
export function histogram(values: ArrayLike<number>, bins?: number): Histogram {
  let min = Infinity;
  let max = -Infinity;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return { edges: [0, 1], counts: [0], width: 1 };
  const count = Math.max(1, Math.floor(bins ?? Math.min(60, Math.max(8, Math.ceil(Math.sqrt(n))))));
  if (max === min) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / count;
  const counts = new Array<number>(count).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(count - 1, Math.floor((v - min) / width))]++;
  }
  const edges = Array.from({ length: count + 1 }, (_, j) => min + j * width);
  return { edges, counts, width };
}

/** N(x | μ, σ²). */
export function normalPdf(x: number, mean: number, variance: number): number {
  const z = x - mean;
  return Math.exp((-0.5 * z * z) / variance) / Math.sqrt(2 * Math.PI * variance);
}

/** Evenly spaced grid of `count` points over [lo, hi]. */
export function linspace(lo: number, hi: number, count: number): number[] {
  if (count <= 1) return [lo];
  const step = (hi - lo) / (count - 1);
  return Array.from({ length: count }, (_, i) => lo + i * step);
}

/** [min, max] of the finite values, padded by `pad` × range on each side (a unit range around a constant). */
export function paddedExtent(values: ArrayLike<number>, pad = 0.05): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return [0, 1];
  if (min === max) return [min - 0.5, max + 0.5];
  const span = max - min;
  return [min - pad * span, max + pad * span];
}
