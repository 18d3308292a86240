// Model selection through the product's entry point, fitDataset: with the default settings (k "auto") Old Faithful
// gets R's Mclust() table and choice (test/reference/make_mclust_bic_reference.R → test/reference/mclust_bic.json),
// the chosen candidate is refitted from its partition to the sweep's log-likelihood, the events come in order, and
// the criterion, the candidates and their limits do what the settings say. Bernoulli images choose K too.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Dataset } from '../../../src/engine/data/dataset';
import { loadDataset } from '../../../src/engine/data/load';
import { DataError, OptionsError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { chooseEntry, selectionCandidates, selectionFitSettings, sweepModelsFor } from '../../../src/engine/select/product';
import type { FitOptions, FitResult, SelectionEntry } from '../../../src/shared/protocol';
import { DEFAULT_FIT_OPTIONS, parseCovarianceModels, parseKRange } from '../../../src/shared/settings';

const root = path.resolve(__dirname, '../../..');
const reference = JSON.parse(readFileSync(path.join(root, 'test/reference/mclust_bic.json'), 'utf8'));
const faithful = (): Dataset => loadDataset('faithful.csv', readFileSync(path.join(root, 'test/fixtures/faithful.csv')), { columns: [] });

function table(name: string, rows: number[][]): Dataset {
  return loadDataset(name, new Uint8Array(Buffer.from(['a,b', ...rows.map((r) => r.join(','))].join('\n'), 'utf8')), { columns: [] });
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const withoutTime = (r: FitResult) => ({ ...r, elapsedMs: 0 });

describe('model selection in fitDataset (k "auto")', function () {
  this.timeout(120_000);
  let result: FitResult;
  const events: string[] = [];
  const progress: { done: number; total: number; entry: SelectionEntry }[] = [];
  before(() => {
    result = fitDataset(faithful(), {}, {
      onLoaded: () => events.push('loaded'),
      onSelectionProgress: (p) => {
        events.push('selection');
        progress.push(p);
      },
      onProgress: () => events.push('progress'),
    }).result;
  });

  it('default settings on Old Faithful: EEE with K = 3, BIC 2314.32 in scikit-learn\'s sign (mclust: −2314.32), as R', () => {
    const ref = reference.faithful;
    assert.equal(result.k, ref.best.k);
    assert.equal(result.covarianceType, ref.best.model);
    assert.equal(result.k, 3);
    assert.equal(result.covarianceType, 'EEE');
    assert.ok(Math.abs(result.bic - 2314.32) < 0.005, String(result.bic));
    assert.ok(relative(result.bic, -ref.best.bic) < 1e-9, `${result.bic} vs R ${-ref.best.bic}`);
    assert.ok(Math.abs(result.logLikelihood - -1126.33) < 0.005, String(result.logLikelihood));
    assert.equal(result.selection?.criterion, 'bic');
    assert.deepEqual(result.selection?.chosen, { k: 3, covariance: 'EEE' });
    assert.match(result.notes![0], /^K = 3, EEE: lowest BIC of 126 candidates; next VVE K = 2 \(ΔBIC 6\.1\)\.$/);
  });

  it('every entry\'s BIC and ICL is the negative of R\'s table to 1e-6, NA where R has NA', () => {
    const ref = reference.faithful;
    const { ks, models, entries } = result.selection!;
    assert.deepEqual(ks, reference.G);
    assert.deepEqual(models, ref.models);
    assert.equal(entries.length, 9 * 14);
    ks.forEach((k, i) =>
      models.forEach((model, j) => {
        const e = entries[i * models.length + j];
        assert.deepEqual([e.k, e.covariance], [k, model]);
        const [bic, icl] = [ref.bic[i][j], ref.icl[i][j]];
        if (bic === null) {
          assert.equal(e.bic, null, `K = ${k} ${model}`);
          return;
        }
        assert.ok(relative(e.bic as number, -bic) < 1e-6, `K = ${k} ${model}: BIC ${e.bic}, R ${-bic}`);
        assert.ok(relative(e.icl as number, -icl) < 1e-6, `K = ${k} ${model}: ICL ${e.icl}, R ${-icl}`);
        assert.ok(relative(e.aic as number, -2 * (e.logLikelihood as number) + 2 * e.parameters) < 1e-12);
        assert.equal(e.params?.means.length, k, 'parameters kept for d ≤ 20');
      }),
    );
  });

  it('the chosen candidate is refitted from its partition: the sweep\'s log-likelihood to 1e-9, with its iterations for the scrubber', () => {
    const chosen = result.selection!.entries.find((e) => e.k === 3 && e.covariance === 'EEE')!;
    assert.ok(relative(result.logLikelihood, chosen.logLikelihood as number) < 1e-9, `${result.logLikelihood} vs ${chosen.logLikelihood}`);
    assert.equal(result.converged, true);
    // The sweep counts the M-step from the partition as an iteration; the refit's start is that step.
    assert.equal(result.iterations, chosen.iterations - 1);
    assert.equal(result.snapshots.length, result.iterations + 1);
    assert.equal(result.trace.length, result.iterations + 1);
    for (let t = 1; t < result.trace.length; t++) assert.ok(result.trace[t] >= result.trace[t - 1] - 1e-9, `EM never goes down (iteration ${t})`);
  });

  it('events: loaded, one selectionProgress per candidate (done 1…126 of 126), then the chosen fit\'s progress', () => {
    assert.equal(events[0], 'loaded');
    const selections = events.filter((e) => e === 'selection').length;
    assert.equal(selections, 126);
    assert.deepEqual(events.slice(1, 127), new Array(126).fill('selection'));
    assert.ok(events.slice(127).every((e) => e === 'progress') && events.length > 127);
    assert.deepEqual(progress.map((p) => p.done), Array.from({ length: 126 }, (_, i) => i + 1));
    assert.ok(progress.every((p) => p.total === 126));
    const seen = new Set(progress.map((p) => `${p.entry.k} ${p.entry.covariance}`));
    assert.equal(seen.size, 126, 'each candidate once');
  });

  it('criterion icl and aic choose the lowest ICL / AIC among the usable entries (ICL: R\'s choice)', () => {
    const icl = fitDataset(faithful(), { criterion: 'icl' }).result;
    assert.deepEqual([icl.k, icl.covarianceType], [reference.faithful.bestIcl.k, reference.faithful.bestIcl.model]);
    assert.ok(relative(icl.icl as number, reference.faithful.bestIcl.icl) < 1e-9);
    assert.match(icl.notes![0], /lowest ICL of 126 candidates/);
    const aic = fitDataset(faithful(), { criterion: 'aic', kRange: '1-4', covarianceModels: 'EEE,VVV,VVI' }).result;
    const usable = aic.selection!.entries.filter((e) => e.aic !== null);
    const lowest = usable.reduce((a, b) => ((b.aic as number) < (a.aic as number) ? b : a));
    assert.deepEqual([aic.k, aic.covarianceType], [lowest.k, lowest.covariance]);
    assert.ok(relative(aic.aic, lowest.aic as number) < 1e-9);
    // AIC penalises parameters less than BIC: here it takes more components than BIC's K = 3.
    const bic = aic.selection!.entries.filter((e) => e.bic !== null).reduce((a, b) => ((b.bic as number) < (a.bic as number) ? b : a));
    assert.ok(lowest.k >= bic.k);
  });

  it('K ranges, lists and models from the settings; scikit-learn names as their mclust models', () => {
    const r = fitDataset(faithful(), { kRange: '2,3,5', covarianceModels: 'full,tied' }).result;
    assert.deepEqual(r.selection!.ks, [2, 3, 5]);
    assert.deepEqual(r.selection!.models, ['VVV', 'EEE']);
    assert.equal(r.selection!.entries.length, 6);
    const fixedK = fitDataset(faithful(), { k: 3, covarianceModels: 'all' }).result;
    assert.deepEqual(fixedK.selection!.ks, [3]);
    assert.equal(fixedK.selection!.models.length, 14);
    assert.deepEqual([fixedK.k, fixedK.covarianceType], [3, 'EEE']);
  });

  it('a K range beyond the rows skips those K and names them; no K within the rows is one error naming the file', () => {
    const rows = [[0, 0], [0.1, 0.3], [0.2, 0.1], [5, 5], [5.2, 5.1], [5.1, 4.8]];
    const r = fitDataset(table('six.csv', rows), { kRange: '1-8', covarianceModels: 'EII,VII' }).result;
    const skipped = r.selection!.entries.filter((e) => e.k > 6);
    assert.equal(skipped.length, 4);
    assert.ok(skipped.every((e) => e.bic === null && e.reason === `skipped: K = ${e.k} is more than the 6 rows`));
    assert.ok(r.notes!.includes('six.csv: K = 7, 8 skipped: more components than the 6 rows.'), r.notes!.join('\n'));
    assert.ok(r.k <= 6);
    assert.throws(
      () => fitDataset(table('six.csv', rows), { kRange: '10-12' }),
      (e: unknown) => e instanceof DataError && /^six\.csv: no candidate to fit: every K tried \(10…12\) is more than the 6 usable rows\. Set a smaller kRange\.$/.test(e.message),
    );
  });

  it('with one candidate nothing changes: the single fit, bit for bit', () => {
    const plain = fitDataset(faithful(), { k: 2 }).result;
    assert.equal(plain.selection, undefined);
    const same = fitDataset(faithful(), { k: 2, kRange: '3-5', covarianceModels: 'auto', criterion: 'aic' }).result;
    assert.deepEqual(withoutTime(same), withoutTime(plain));
    // k "auto" over one K and one model is that single fit too (its settings' start, not a partition).
    const one = fitDataset(faithful(), { kRange: '2', covarianceModels: 'full' }).result;
    assert.deepEqual(withoutTime(one), withoutTime(plain));
    assert.equal(plain.covarianceType, 'full');
  });

  it('settings that cannot apply to a selection are one clear error', () => {
    assert.throws(() => fitDataset(faithful(), { emVariant: 'hard' }), (e: unknown) => e instanceof OptionsError && /fits by standard EM; set emVariant to "soft", or k to a number/.test(e.message));
    assert.throws(
      () => fitDataset(faithful(), { init: 'params', initParams: { weights: [0.5, 0.5], means: [[2, 50], [4, 80]] } }),
      (e: unknown) => e instanceof OptionsError && /^initParams fixes K = 2/.test(e.message),
    );
    assert.throws(() => fitDataset(faithful(), { covarianceModels: 'E,EEE' }), (e: unknown) => e instanceof OptionsError && /mclust's model for one column/.test(e.message));
  });
});

describe('selection settings and candidates', () => {
  it('parseKRange and parseCovarianceModels', () => {
    assert.deepEqual(parseKRange('1-9'), { ok: true, ks: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
    assert.deepEqual(parseKRange(' 5, 2,3,3 '), { ok: true, ks: [2, 3, 5] });
    for (const bad of ['', '0-3', '3-1', '1-1001', 'a,b', '2.5', '1-2-3']) assert.equal(parseKRange(bad).ok, false, bad);
    assert.deepEqual(parseCovarianceModels('eee, VVV,full,EEE'), { ok: true, models: ['EEE', 'VVV', 'full'] });
    assert.deepEqual(parseCovarianceModels('ALL'), { ok: true, models: 'all' });
    assert.equal(parseCovarianceModels('EEE,XYZ').ok, false);
  });

  it('candidates: K auto takes kRange and mclust\'s default models; a fixed K with "auto" models is covarianceType alone', () => {
    const o = (p: Partial<FitOptions>): FitOptions => ({ ...DEFAULT_FIT_OPTIONS, ...p });
    assert.deepEqual(selectionCandidates(o({}), 'gaussian', 272, 2).models.length, 14);
    assert.deepEqual(selectionCandidates(o({}), 'gaussian', 5, 8).models, ['EII', 'VII', 'EEI', 'VEI', 'EVI', 'VVI']);
    assert.deepEqual(selectionCandidates(o({}), 'gaussian', 100, 1).models, ['E', 'V']);
    assert.deepEqual(selectionCandidates(o({ k: 4 }), 'gaussian', 272, 2), { ks: [4], models: ['full'] });
    assert.deepEqual(selectionCandidates(o({ kRange: '2-3' }), 'bernoulli', 100, 64), { ks: [2, 3], models: ['bernoulli'] });
    assert.deepEqual(sweepModelsFor(['full', 'VVV', 'spherical', 'EEE'], 2), ['VVV', 'VII', 'EEE']);
    assert.deepEqual(sweepModelsFor(['EEE', 'VVV', 'EII'], 1), ['E', 'V']);
  });

  it('the settings\' defaults stand for mclust\'s fitting settings; other values apply to every candidate', () => {
    assert.deepEqual(selectionFitSettings(DEFAULT_FIT_OPTIONS), { tolerance: 1e-5, maxIterations: 100000, regularization: 0 });
    assert.deepEqual(selectionFitSettings({ ...DEFAULT_FIT_OPTIONS, tolerance: 1e-8, maxIterations: 50, regularization: 1e-4 }), { tolerance: 1e-8, maxIterations: 51, regularization: 1e-4 });
  });

  it('chooseEntry: lowest score among usable entries; an exact tie goes to the first in mclust\'s order (model by model)', () => {
    const e = (k: number, covariance: string, bic: number | null): SelectionEntry => ({ k, covariance, logLikelihood: 0, parameters: 1, bic, icl: bic, aic: bic, iterations: 1, converged: true, degenerate: false });
    // K-major: [K1 A, K1 B, K2 A, K2 B]; K2 A and K1 B tie: model A comes first in mclust's order.
    const entries = [e(1, 'A', 5), e(1, 'B', 3), e(2, 'A', 3), e(2, 'B', null)];
    assert.equal(chooseEntry(entries, [1, 2], ['A', 'B'], 'bic'), 2);
    assert.equal(chooseEntry([e(1, 'A', null)], [1], ['A'], 'bic'), -1);
  });
});

describe('Bernoulli: k "auto" chooses K', function () {
  this.timeout(60_000);
  it('three binary prototypes with 5 % noise: K = 3 by BIC; the chosen fit is the plain K = 3 fit', () => {
    // Deterministic noise: a linear congruential generator.
    let state = 12345;
    const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    const prototypes = [0, 1, 2].map((p) => Array.from({ length: 24 }, (_, j) => (Math.floor(j / 8) === p ? 1 : 0)));
    const rows = Array.from({ length: 150 }, (_, i) => prototypes[i % 3].map((v) => (random() < 0.05 ? 1 - v : v)));
    const data = () => loadDataset('bits.csv', new Uint8Array(Buffer.from([Array.from({ length: 24 }, (_, j) => `b${j}`).join(','), ...rows.map((r) => r.join(','))].join('\n'))), { columns: [] });
    const order: string[] = [];
    const r = fitDataset(data(), { kRange: '1-6', threads: 1 }, { onSelectionProgress: (p) => order.push(`${p.done}/${p.total} K=${p.entry.k}`) }).result;
    assert.equal(r.model, 'bernoulli');
    assert.equal(r.k, 3);
    assert.deepEqual(order, ['1/6 K=1', '2/6 K=2', '3/6 K=3', '4/6 K=4', '5/6 K=5', '6/6 K=6']);
    const { entries } = r.selection!;
    assert.deepEqual(entries.map((e) => e.covariance), new Array(6).fill('bernoulli'));
    for (const e of entries) {
      const p = e.k * 24 + e.k - 1;
      assert.equal(e.parameters, p);
      assert.ok(relative(e.bic as number, -2 * (e.logLikelihood as number) + p * Math.log(150)) < 1e-12);
      assert.ok((e.icl as number) >= (e.bic as number) - 1e-9, 'ICL adds a non-negative entropy term');
    }
    const fixed = fitDataset(data(), { k: 3, threads: 1 }).result;
    assert.equal(r.logLikelihood, fixed.logLikelihood);
    assert.deepEqual(r.assignments, fixed.assignments);
    assert.match(r.notes![0], /^K = 3: lowest BIC of 6 candidates; next K = \d/);
  });

  it('with a label column: the notes compare the chosen K with the number of label values (labels never enter the fit)', () => {
    let state = 777;
    const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    const prototypes = [0, 1, 2].map((p) => Array.from({ length: 24 }, (_, j) => (Math.floor(j / 8) === p ? 1 : 0)));
    const header = [...Array.from({ length: 24 }, (_, j) => `b${j}`), 'label'].join(',');
    const rows = Array.from({ length: 150 }, (_, i) => [...prototypes[i % 3].map((v) => (random() < 0.05 ? 1 - v : v)), i % 3].join(','));
    const data = loadDataset('labelled.csv', new Uint8Array(Buffer.from([header, ...rows].join('\n'))), { columns: [] });
    const r = fitDataset(data, { kRange: '1-5', threads: 1 }).result;
    assert.equal(r.k, 3);
    assert.ok(r.notes!.some((n) => n === 'The labels have 3 values; the criterion chose K = 3: as many clusters as label values.'), r.notes!.join(' | '));
  });
});
