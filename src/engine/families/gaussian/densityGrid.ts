// The density of a 2-D Gaussian mixture on a grid and its contour lines (marching squares), for the panel's density
// view: the mixture on two plotted axes is the marginal (two columns) or the projected mixture (P μ, P Σ Pᵀ), exact for
// Gaussians, so the grid needs only K 2 × 2 covariances and never the data rows. Pure and allocation-light: the
// webview bundles it and evaluates it for the shown iteration and axes.

/** A 2 × 2 symmetric matrix as [σxx, σxy, σyy]. */
export type Cov2 = [number, number, number];

export interface DensityGrid {
  /** Grid abscissae (nx) and ordinates (ny), evenly spaced over the domains, ends included. */
  xs: Float64Array;
  ys: Float64Array;
  /** ny × nx, row-major by y: values[iy * nx + ix] = p(xs[ix], ys[iy]). */
  values: Float64Array;
}

/**
 * p(x, y) = Σ_k π_k N((x, y) | μ_k, Σ_k) on an nx × ny grid over the domains. A component whose covariance is not
 * positive definite (a collapsing one) adds nothing rather than infinities.
 */
export function mixtureDensityGrid(weights: ArrayLike<number>, means: [number, number][], covariances: Cov2[], xDomain: [number, number], yDomain: [number, number], nx = 60, ny = 60): DensityGrid {
  const xs = new Float64Array(nx);
  const ys = new Float64Array(ny);
  for (let i = 0; i < nx; i++) xs[i] = xDomain[0] + ((xDomain[1] - xDomain[0]) * i) / (nx - 1);
  for (let i = 0; i < ny; i++) ys[i] = yDomain[0] + ((yDomain[1] - yDomain[0]) * i) / (ny - 1);
  const values = new Float64Array(nx * ny);
  for (let k = 0; k < weights.length; k++) {
    const [a, b, c] = covariances[k];
    const det = a * c - b * b;
    if (!(a > 0 && det > 0) || !Number.isFinite(det)) continue;
    // Precision [c, −b; −b, a] / det; the log normaliser keeps tiny weights and determinants finite.
    const logNorm = Math.log(weights[k]) - Math.log(2 * Math.PI) - 0.5 * Math.log(det);
    const [mx, my] = means[k];
    for (let iy = 0; iy < ny; iy++) {
      const dy = ys[iy] - my;
      const row = iy * nx;
      for (let ix = 0; ix < nx; ix++) {
        const dx = xs[ix] - mx;
        const q = (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
        values[row + ix] += Math.exp(logNorm - 0.5 * q);
      }
    }
  }
  return { xs, ys, values };
}

/**
 * Highest-density levels: for each fraction f, the density above which the grid holds f of the grid's mass (cells
 * weighted equally), so the contour at that level encloses the densest f of what the view shows. Decreasing in f.
 */
export function highestDensityLevels(grid: DensityGrid, fractions: readonly number[]): number[] {
  const sorted = Float64Array.from(grid.values).sort().reverse();
  let total = 0;
  for (const v of sorted) total += v;
  if (!(total > 0)) return fractions.map(() => 0);
  return fractions.map((f) => {
    let sum = 0;
    for (let i = 0; i < sorted.length; i++) {
      sum += sorted[i];
      if (sum >= f * total) return sorted[i];
    }
    return sorted[sorted.length - 1];
  });
}

/**
 * The contour line p = level as segments [x1, y1, x2, y2, …] by marching squares with linear interpolation along the
 * cell edges; a saddle cell is resolved by the cell's mean value.
 */
export function contourSegments(grid: DensityGrid, level: number): number[] {
  const { xs, ys, values } = grid;
  const nx = xs.length;
  const ny = ys.length;
  const out: number[] = [];
  // Crossing on the edge between (xa, ya, va) and (xb, yb, vb).
  const cross = (xa: number, ya: number, va: number, xb: number, yb: number, vb: number, into: number[]) => {
    const t = (level - va) / (vb - va);
    into.push(xa + t * (xb - xa), ya + t * (yb - ya));
  };
  const edge: number[][] = [[], [], [], []];
  for (let iy = 0; iy + 1 < ny; iy++) {
    for (let ix = 0; ix + 1 < nx; ix++) {
      const v00 = values[iy * nx + ix];
      const v10 = values[iy * nx + ix + 1];
      const v01 = values[(iy + 1) * nx + ix];
      const v11 = values[(iy + 1) * nx + ix + 1];
      const b00 = v00 >= level;
      const b10 = v10 >= level;
      const b01 = v01 >= level;
      const b11 = v11 >= level;
      if (b00 === b10 && b10 === b11 && b11 === b01) continue;
      const x0 = xs[ix];
      const x1 = xs[ix + 1];
      const y0 = ys[iy];
      const y1 = ys[iy + 1];
      for (const e of edge) e.length = 0;
      // Edges: 0 bottom (00–10), 1 right (10–11), 2 top (01–11), 3 left (00–01).
      if (b00 !== b10) cross(x0, y0, v00, x1, y0, v10, edge[0]);
      if (b10 !== b11) cross(x1, y0, v10, x1, y1, v11, edge[1]);
      if (b01 !== b11) cross(x0, y1, v01, x1, y1, v11, edge[2]);
      if (b00 !== b01) cross(x0, y0, v00, x0, y1, v01, edge[3]);
      const crossed = edge.filter((e) => e.length > 0);
      if (crossed.length === 2) {
        out.push(crossed[0][0], crossed[0][1], crossed[1][0], crossed[1][1]);
      } else if (crossed.length === 4) {
        // Saddle: 00 and 11 on one side, 10 and 01 on the other. If the centre sides with 00, the lines cut off 10
        // and 01; otherwise they cut off 00 and 11.
        const centre = (v00 + v10 + v01 + v11) / 4 >= level;
        const pairs = centre === b00 ? [[0, 1], [2, 3]] : [[0, 3], [2, 1]];
        for (const [p, q] of pairs) out.push(edge[p][0], edge[p][1], edge[q][0], edge[q][1]);
      }
    }
  }
  return out;
}
