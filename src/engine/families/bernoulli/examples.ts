// The most and least typical member images of each cluster of a Bernoulli fit (the panel's cluster inspector).

import type { ClusterExamples } from '../../../shared/protocol';
import { denseRow, type BinaryMatrix } from './binarize';
import type { BernoulliParams } from './family';


/**
 * For each cluster, its `perCluster` most and least typical members (rows assigned to it), ranked by their
 * log-likelihood under the cluster's own pixel probabilities ln p(x_i | μ_k): the images the component explains best
 * and worst. Pixel values are 0/1.
 */
export function clusterExamples(
  m: BinaryMatrix,
  params: BernoulliParams,
  assignments: Int32Array,
  k: number,
  perCluster: number,
): ClusterExamples[] {
  const { n, d, rowPtr, colIdx } = m;
  const wt = new Float64Array(d * k);
  const base = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const mu = params.means[c * d + j];
      const l1 = Math.log1p(-mu);
      s += l1;
      wt[j * k + c] = Math.log(mu) - l1;
    }
    base[c] = s;
  }
  const members: { row: number; score: number }[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) {
    const c = assignments[i];
    let score = base[c];
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) score += wt[colIdx[p] * k + c];
    members[c].push({ row: i, score });
  }
  return members.map((list, c) => {
    list.sort((x, y) => y.score - x.score || x.row - y.row);
    const typical = list.slice(0, perCluster);
    const atypical = list.slice(Math.max(typical.length, list.length - perCluster)).reverse();
    return {
      cluster: c,
      typical: typical.map((e) => denseRow(m, e.row) as number[]),
      atypical: atypical.map((e) => denseRow(m, e.row) as number[]),
    };
  });
}
