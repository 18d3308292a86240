// The out-of-core tests' comparison: the same file fitted in memory, and an out-of-core fit that must equal it.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDatasetAsync } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import type { FitOptions, FitResult } from '../../../src/shared/protocol';

export async function inMemoryFit(file: string, options: Partial<FitOptions>): Promise<FitResult> {
  const dataset = await loadDatasetAsync(path.basename(file), fs.readFileSync(file), {
    columns: options.columns,
    weightsColumn: options.weightsColumn,
    categorical: options.categorical,
    categoryLimit: options.categoryLimit,
    labelColumn: options.labelColumn,
    imageWidth: options.imageWidth,
    sheet: options.sheet,
    // As the worker loads a file: the fit's own missing-cell rule (marginalise by default).
    missing: options.missing ?? 'marginalize',
  });
  return fitDataset(dataset, options).result;
}

function assertClose(actual: number, expected: number, what: string): void {
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

function assertCloseAll(actual: unknown[] | undefined, expected: unknown[] | undefined, what: string): void {
  assert.equal(actual === undefined, expected === undefined, `${what} present in one fit only`);
  const flat = (x: unknown) => (x as unknown[]).flat(Infinity as 1) as number[];
  if (expected) flat(expected).forEach((v, i) => assertClose(flat(actual)[i], v, `${what} value ${i}`));
}

/** The out-of-core fit is the in-memory fit: model, rows, columns, trace, weights and every family's parameters. */
export function assertSameFit(actual: FitResult, expected: FitResult): void {
  assert.deepEqual([actual.model, actual.n, actual.k, actual.columns], [expected.model, expected.n, expected.k, expected.columns]);
  assert.deepEqual(actual.categories, expected.categories);
  assert.deepEqual(actual.countColumns, expected.countColumns);
  assert.deepEqual([actual.iterations, actual.converged, actual.trace.length], [expected.iterations, expected.converged, expected.trace.length]);
  actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
  expected.weights.forEach((w, c) => assertClose(actual.weights[c], w, `weight ${c}`));
  assertCloseAll(actual.means, expected.means, 'means');
  assertCloseAll(actual.probabilities, expected.probabilities, 'probabilities');
  assertCloseAll(actual.rates, expected.rates, 'rates');
  assertClose(actual.bic, expected.bic, 'BIC');
  assert.deepEqual(actual.caseWeights, expected.caseWeights);
  assertSameLabelScores(actual, expected);
}

/**
 * The known labels are scored as in memory: the same label metrics (counts exactly, accuracy, ARI and NMI to 1e-9)
 * and the same clusters × labels counts on every snapshot, when the in-memory fit has them.
 */
export function assertSameLabelScores(actual: FitResult, expected: FitResult): void {
  const [a, e] = [actual.labelMetrics, expected.labelMetrics];
  assert.equal(a === undefined, e === undefined, `label metrics in one fit only (out of core: ${a !== undefined}, in memory: ${e !== undefined})`);
  if (a && e) {
    assert.deepEqual([a.confusion, a.labelValues, a.labelNames, a.clusters], [e.confusion, e.labelValues, e.labelNames, e.clusters]);
    assertClose(a.accuracy, e.accuracy, 'accuracy');
    assertClose(a.adjustedRandIndex, e.adjustedRandIndex, 'ARI');
    assertClose(a.normalizedMutualInfo, e.normalizedMutualInfo, 'NMI');
    assert.equal(a.oneToOneAccuracy === undefined, e.oneToOneAccuracy === undefined, 'one-to-one accuracy in one fit only');
    if (e.oneToOneAccuracy !== undefined) assertClose(a.oneToOneAccuracy!, e.oneToOneAccuracy, 'one-to-one accuracy');
  }
  assert.equal(actual.snapshots.length, expected.snapshots.length, 'snapshots');
  expected.snapshots.forEach((snapshot, i) => assert.deepEqual(actual.snapshots[i].confusion, snapshot.confusion, `snapshot ${i}'s clusters × labels`));
}

