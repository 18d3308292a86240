// A Gaussian model selection with case weights out of core against in memory: the same weighted file gives the same
// BIC / ICL table (every candidate's log-likelihood, BIC, ICL, AIC, iterations and status), the same choice and the
// same chosen fit (trace, parameters, BIC with n = Σ w, ICL, label scores) to 1e-9, with integer and fractional
// weights, rows of weight 0, standardised columns, one column, labels scored, degenerate and failed candidates and more
// rows than the hierarchical clustering takes, in chunks that do not divide the rows.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../../src/engine/em/rng';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import { HC_SUBSET_ROWS } from '../../../src/engine/select/starts';
import type { FitOptions, FitResult } from '../../../src/shared/protocol';
import { assertSameFit, inMemoryFit } from './same-fit';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

function assertClose(actual: number | null | undefined, expected: number | null | undefined, what: string): void {
  assert.ok(actual != null && expected != null, `${what}: ${actual} vs ${expected}`);
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

/** The table, the choice and the chosen fit are the in-memory ones. */
function assertSameSelection(actual: FitResult, expected: FitResult): void {
  const a = actual.selection!;
  const e = expected.selection!;
  assert.ok(a && e, 'both fits are selections');
  assert.deepEqual([a.criterion, a.ks, a.models], [e.criterion, e.ks, e.models]);
  assert.deepEqual(a.chosen, e.chosen);
  assert.equal(a.entries.length, e.entries.length);
  e.entries.forEach((want, i) => {
    const got = a.entries[i];
    const name = `K = ${want.k} ${want.covariance}`;
    assert.deepEqual([got.k, got.covariance, got.iterations, got.converged, got.degenerate, got.reason], [want.k, want.covariance, want.iterations, want.converged, want.degenerate, want.reason], name);
    for (const key of ['logLikelihood', 'bic', 'icl', 'aic'] as const) {
      if (want[key] === null) assert.equal(got[key], null, `${name} ${key}`);
      else assertClose(got[key], want[key], `${name} ${key}`);
    }
    assert.equal(got.params === undefined, want.params === undefined, `${name} parameters in one table only`);
    want.params?.weights.forEach((w, j) => assertClose(got.params!.weights[j], w, `${name} weight ${j}`));
    want.params?.means.forEach((m, j) => m.forEach((v, c) => assertClose(got.params!.means[j][c], v, `${name} mean ${j},${c}`)));
    want.params?.covariances?.forEach((s, j) => s.flat().forEach((v, c) => assertClose(got.params!.covariances![j].flat()[c], v, `${name} covariance ${j},${c}`)));
  });
  assert.deepEqual([actual.k, actual.covarianceType, actual.iterations, actual.converged], [expected.k, expected.covarianceType, expected.iterations, expected.converged]);
  assertSameFit(actual, expected);
  expected.covariances!.forEach((s, j) => s.flat().forEach((v, c) => assertClose(actual.covariances![j].flat()[c], v, `chosen covariance ${j},${c}`)));
  assertClose(actual.logLikelihood, expected.logLikelihood, 'log-likelihood');
  assertClose(actual.aic, expected.aic, 'AIC');
  assertClose(actual.mclustBic, expected.mclustBic, 'mclust BIC');
  assertClose(actual.icl, expected.icl, 'ICL');
  assert.equal(actual.parameters, expected.parameters);
  assert.equal(actual.standardization === undefined, expected.standardization === undefined, 'standardised in one fit only');
  expected.standardization?.mean.forEach((m, c) => assertClose(actual.standardization!.mean[c], m, `weighted column mean ${c}`));
  expected.standardization?.sd.forEach((sd, c) => assertClose(actual.standardization!.sd[c], sd, `weighted column sd ${c}`));
  const note = /^Case weights \(column "w"\) weight every candidate's EM, BIC and ICL \(n = Σ w\)/;
  assert.ok(expected.notes!.some((n) => note.test(n)), 'the in-memory note on case weights');
  assert.ok(actual.notes!.some((n) => note.test(n)), actual.notes!.join('\n'));
}

/** `file` with a weights column w cycling through `pattern`. */
function withWeights(file: string, out: string, pattern: number[]): string {
  const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  fs.writeFileSync(out, [`${lines[0]},w`, ...lines.slice(1).map((line, i) => `${line},${pattern[i % pattern.length]}`)].join('\n') + '\n');
  return out;
}

describe('out-of-core Gaussian model selection with case weights equals the in-memory one', () => {
  let temp: string;
  const file = (name: string) => path.join(temp, name);
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-select-weights-'));
    withWeights(path.join(FIXTURES, 'faithful.csv'), file('integer.csv'), [1, 2, 3, 1, 4, 2]);
    withWeights(path.join(FIXTURES, 'faithful.csv'), file('fractional.csv'), [0.25, 1.5, 2.75, 0.6, 1, 3.125]);
    withWeights(path.join(FIXTURES, 'faithful.csv'), file('zeros.csv'), [1, 2, 0, 3, 0.5, 1, 2]);
    withWeights(path.join(FIXTURES, 'iris.csv'), file('iris.csv'), [1, 2, 0, 3, 0.5]);
    withWeights(path.join(FIXTURES, 'iris.csv'), file('iris-fractional.csv'), [0.3, 1.7, 1, 2.2, 0.9, 1.25]);
    // Four copies of one far point (one of weight 0): with a ridge, a component on them is degenerate (one distinct
    // point), judged on the rows unweighted as in memory.
    fs.writeFileSync(file('duplicates.csv'), fs.readFileSync(file('zeros.csv'), 'utf8') + ['6,140,2', '6,140,0', '6,140,1', '6,140,3'].join('\n') + '\n');
    // One column: the quantile classes start every K.
    const faithful = fs.readFileSync(path.join(FIXTURES, 'faithful.csv'), 'utf8').trim().split(/\r?\n/);
    fs.writeFileSync(file('one-column.csv'), ['waiting,w', ...faithful.slice(1).map((line, i) => `${line.split(',')[1]},${[1, 0, 2.5, 1, 3][i % 5]}`)].join('\n') + '\n');
    // More rows than the hierarchical clustering takes: its subset's partition is extended to every row.
    const rng = new Rng(21);
    const z = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const rows = ['a,b,w'];
    for (let i = 0; i < HC_SUBSET_ROWS + 700; i++) {
      const g = i % 3;
      const u = z();
      rows.push(`${(4 * g + u).toFixed(4)},${(-2 * g + 0.6 * u + 0.8 * z()).toFixed(4)},${[1, 0, 2, 0.5, 3][(i * 7) % 5]}`);
    }
    fs.writeFileSync(file('large.csv'), rows.join('\n') + '\n');
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const cases: { name: string; data: string; options: Partial<FitOptions>; chunkRows: number }[] = [
    { name: 'integer weights, every model', data: 'integer.csv', options: { kRange: '1-5' }, chunkRows: 19 },
    { name: 'fractional weights, by ICL', data: 'fractional.csv', options: { kRange: '1-4', covarianceModels: 'EII,VII,EEI,VVI,EEE,VVV', criterion: 'icl' }, chunkRows: 23 },
    { name: 'rows of weight 0, every model', data: 'zeros.csv', options: { kRange: '1-4' }, chunkRows: 31 },
    { name: 'rows of weight 0, standardised by the weighted mean and sd', data: 'iris.csv', options: { kRange: '2-4', covarianceModels: 'EII,VVI,EEE,VEV,EVE,VVE,VVV', standardize: true }, chunkRows: 64 },
    { name: 'fractional weights, labels scored', data: 'iris-fractional.csv', options: { kRange: '1-4', covarianceModels: 'EEE,VEV,VVV', labelColumn: 'Species' }, chunkRows: 7 },
    { name: 'a degenerate component on copies of one point, with a ridge', data: 'duplicates.csv', options: { kRange: '1-4', regularization: 1e-3 }, chunkRows: 17 },
    { name: 'one column, rows of weight 0', data: 'one-column.csv', options: { kRange: '1-4' }, chunkRows: 13 },
    { name: 'more rows than the hierarchical clustering takes, rows of weight 0', data: 'large.csv', options: { kRange: '1-3', covarianceModels: 'EII,EEE,VVV' }, chunkRows: 256 },
  ];
  for (const { name, data, options, chunkRows } of cases) {
    it(`${name}: ${data}, K ${options.kRange}, ${options.covarianceModels ?? 'all models'}, chunks of ${chunkRows} rows`, async function () {
      this.timeout(60000);
      const all: Partial<FitOptions> = { model: 'gaussian', k: 'auto', threads: 1, ...options, weightsColumn: 'w' };
      const expected = await inMemoryFit(file(data), all);
      assert.equal(expected.caseWeights?.column, 'w');
      assert.notEqual(expected.caseWeights!.total, expected.n, 'the weights are not all 1');
      if (options.labelColumn) assert.ok(expected.labelMetrics, 'the in-memory fit scores the labels');
      let storeDir = '';
      const cells: number[] = [];
      const actual = (await fitOutOfCore(file(data), all, 1, { onSelectionProgress: (p) => cells.push(p.done) }, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) })).result;
      assert.equal(cells.length, expected.selection!.entries.length, 'one progress message per candidate');
      assertSameSelection(actual, expected);
      assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    });
  }

  it('BIC counts Σ w rows, not the rows of the file: the weights change the table', async () => {
    const options: Partial<FitOptions> = { model: 'gaussian', k: 'auto', kRange: '1-3', covarianceModels: 'VVV' };
    const weighted = (await fitOutOfCore(file('integer.csv'), { ...options, weightsColumn: 'w' }, 1, {}, { chunkRows: 50, tempParent: temp })).result;
    const plain = (await fitOutOfCore(file('integer.csv'), options, 1, {}, { chunkRows: 50, tempParent: temp })).result;
    // integer.csv's weights sum to more rows than its 272.
    assert.equal(weighted.caseWeights!.total, fs.readFileSync(file('integer.csv'), 'utf8').trim().split('\n').slice(1).reduce((s, line) => s + Number(line.split(',')[2]), 0));
    assert.ok(weighted.caseWeights!.total > 272);
    assert.equal(plain.caseWeights, undefined);
    assert.notEqual(weighted.selection!.entries[0].bic, plain.selection!.entries[0].bic);
    assertClose(weighted.bic, -2 * weighted.logLikelihood + weighted.parameters! * Math.log(weighted.caseWeights!.total), 'BIC with n = Σ w');
  });

  it('refitting the chosen weighted candidate when its iterations were not kept gives the same result', async () => {
    const options: Partial<FitOptions> = { model: 'gaussian', k: 'auto', kRange: '1-4', covarianceModels: 'EEE,VVV', weightsColumn: 'w' };
    let keptPasses = 0;
    let refitPasses = 0;
    const kept = (await fitOutOfCore(file('zeros.csv'), options, 64, {}, { tempParent: temp, onPassProgress: (pass) => (keptPasses = pass) })).result;
    const refitted = (await fitOutOfCore(file('zeros.csv'), options, 1, {}, { tempParent: temp, chunkRows: 50, snapshotBytes: 2000, onPassProgress: (pass) => (refitPasses = pass) })).result;
    assert.equal(refitPasses, keptPasses + kept.snapshots.length, 'the chosen candidate was fitted again');
    assertSameSelection(refitted, await inMemoryFit(file('zeros.csv'), { ...options, threads: 1 }));
  });
});
