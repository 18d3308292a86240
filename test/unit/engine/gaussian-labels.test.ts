// A label column beside a Gaussian mixture's numeric columns (named label, class, target…): it never enters the fit,
// and the clusters are scored against it (labelMetrics, as for Bernoulli images; the metrics themselves are checked
// against sklearn.metrics in metrics.test.ts).

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { labelMetrics } from '../../../src/engine/em/metrics';
import { fitDataset } from '../../../src/engine/fit';

const root = path.resolve(__dirname, '../../..');
const rows = readFileSync(path.join(root, 'test/fixtures/faithful.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
const csv = (withLabels: boolean) =>
  new Uint8Array(Buffer.from([withLabels ? 'eruptions,waiting,class' : 'eruptions,waiting', ...rows.map(([e, w]) => (withLabels ? `${e},${w},${e > 3 ? 1 : 0}` : `${e},${w}`))].join('\n')));

describe('Gaussian mixtures scored against a label column', function () {
  this.timeout(60_000);

  for (const [what, options] of [['a fixed K', { k: 2 }], ['a model selection', { k: 'auto' as const, kRange: '1-3' }], ['the variational model', { k: 4, covarianceType: 'variational' as const }]] as const) {
    it(`${what}: the fit is the fit without the column, and labelMetrics scores its clusters`, () => {
      const labelled = fitDataset(loadDataset('faithful-class.csv', csv(true), { columns: [] }), options).result;
      const plain = fitDataset(loadDataset('faithful.csv', csv(false), { columns: [] }), options).result;
      assert.deepEqual(labelled.columns, ['eruptions', 'waiting']);
      assert.deepEqual(labelled.assignments, plain.assignments);
      assert.equal(labelled.logLikelihood, plain.logLikelihood);
      assert.equal(plain.labelMetrics, undefined);
      const labels = rows.map(([e]) => (e > 3 ? 1 : 0));
      assert.deepEqual(labelled.labelMetrics, labelMetrics(labelled.assignments, labels, labelled.k));
      assert.ok(labelled.labelMetrics!.accuracy > 0.95, `accuracy ${labelled.labelMetrics!.accuracy}`);
    });
  }
});

describe('iris: the species scored against the K = 3 full fit (sklearn.metrics on the same assignments)', function () {
  this.timeout(60_000);
  // Written by test/reference/make_sklearn_iris_labels_reference.py from the CLI's assignments and pandas' species.
  const ref = JSON.parse(readFileSync(path.join(root, 'test/reference/sklearn_iris_labels.json'), 'utf8'));
  const iris = () => readFileSync(path.join(root, ref.file));

  it('ARI, NMI, both accuracies, the heatmap counts and each cluster’s majority species and purity', () => {
    const r = fitDataset(loadDataset('iris.csv', iris(), {}), { k: 3, covarianceType: 'full' }).result;
    // The same fit as the reference's (when the fit changes, regenerate the reference).
    assert.deepEqual(r.assignments, ref.assignments);
    const m = r.labelMetrics!;
    assert.ok(Math.abs(m.adjustedRandIndex - ref.adjustedRandIndex) < 1e-12, `ARI ${m.adjustedRandIndex} vs sklearn ${ref.adjustedRandIndex}`);
    assert.ok(Math.abs(m.normalizedMutualInfo - ref.normalizedMutualInfo) < 1e-12, `NMI ${m.normalizedMutualInfo} vs sklearn ${ref.normalizedMutualInfo}`);
    assert.ok(Math.abs(m.accuracy - ref.accuracy) < 1e-12);
    assert.ok(Math.abs(m.oneToOneAccuracy! - ref.oneToOneAccuracy) < 1e-12);
    assert.deepEqual(m.labelNames, ref.labelNames);
    assert.deepEqual(m.confusion, ref.confusion);
    assert.deepEqual(m.clusters.map((c) => c.majorityLabelName), ref.majorityLabelNames);
    m.clusters.forEach((c, j) => assert.ok(Math.abs(c.purity - ref.purity[j]) < 1e-12));
  });

  it('the species never enter the fit: labelColumn "none" gives the same fit, without scores', () => {
    const options = { k: 3, covarianceType: 'full' as const };
    const labelled = fitDataset(loadDataset('iris.csv', iris(), {}), options).result;
    const plain = fitDataset(loadDataset('iris.csv', iris(), { labelColumn: 'none' }), { ...options, labelColumn: 'none' }).result;
    assert.equal(plain.labelMetrics, undefined);
    assert.deepEqual(plain.assignments, labelled.assignments);
    assert.equal(plain.logLikelihood, labelled.logLikelihood);
  });
});
