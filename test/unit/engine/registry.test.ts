// The family registry: one entry per family id, model "auto" asks the families in order, a family named in the
// settings prepares the data or says why it cannot, and an initialisation a family lacks is refused by name.

import * as assert from 'node:assert/strict';
import type { Dataset, ImageData, TableData } from '../../../src/engine/data/dataset';
import { DataError, OptionsError } from '../../../src/engine/errors';
import { chooseFamily, FAMILIES, FAMILY_IDS, familyById, isFamilyId } from '../../../src/engine/families/registry';
import { defineFamily } from '../../../src/engine/families/types';
import { fitDataset, resolveOptions } from '../../../src/engine/fit';
import type { FitOptions } from '../../../src/shared/protocol';
import { loadFaithful } from '../../fixtures/gaussian/helpers';

function table(fileName: string, rows: number[][], sourceLines?: number[]): TableData {
  const d = rows[0].length;
  const columns = Array.from({ length: d }, (_, j) => `c${j + 1}`);
  return {
    kind: 'table',
    n: rows.length,
    d,
    values: Float64Array.from(rows.flat()),
    columns,
    sourceLines: sourceLines ? Uint32Array.from(sourceLines) : undefined,
    summary: { fileName, n: rows.length, d, columns, notes: [] } as unknown as TableData['summary'],
  };
}

function images(fileName: string, n: number, height: number, width: number): ImageData {
  const d = height * width;
  const pixels = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) pixels[i] = (i * 37) % 256;
  const columns = Array.from({ length: d }, (_, j) => `px${j}`);
  return { kind: 'images', n, d, height, width, pixels, scale: 255, summary: { fileName, n, d, columns, notes: [] } as unknown as ImageData['summary'] };
}

function faithful(): TableData {
  const { values, n } = loadFaithful();
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push([values[2 * i], values[2 * i + 1]]);
  return table('faithful.csv', rows);
}

const options = (partial: Partial<FitOptions> = {}): FitOptions => resolveOptions(partial);

describe('family registry', () => {
  it('has exactly one entry per family id, and nothing else', () => {
    assert.deepEqual([...FAMILY_IDS].sort(), FAMILIES.map((f) => f.id).sort());
    for (const id of FAMILY_IDS) assert.equal(familyById(id).id, id);
    assert.ok(isFamilyId('gaussian') && isFamilyId('bernoulli') && isFamilyId('poisson') && isFamilyId('categorical'));
    assert.ok(!isFamilyId('auto') && !isFamilyId('neural') && !isFamilyId(undefined));
  });

  it('model "auto": continuous columns go to the Gaussian family', () => {
    const chosen = chooseFamily(faithful(), options());
    assert.deepEqual([chosen.id, chosen.n, chosen.d, chosen.reason], ['gaussian', 272, 2, 'the columns are continuous numbers']);
  });

  it('model "auto": images, 0/1 tables and tables of 64+ pixel columns go to the Bernoulli family, each with its reason', () => {
    assert.equal(chooseFamily(images('digits.idx', 5, 4, 4), options()).reason, 'digits.idx holds images');
    const binary = chooseFamily(table('votes.csv', [[0, 1, 1], [1, 0, 0], [1, 1, 0]]), options());
    assert.deepEqual([binary.id, binary.reason], ['bernoulli', 'every value is 0 or 1']);
    const pixelRows = [0, 1, 2].map((i) => Array.from({ length: 64 }, (_, j) => (i * 64 + j * 11) % 256));
    const pixels = chooseFamily(table('pixels.csv', pixelRows), options());
    assert.deepEqual([pixels.id, pixels.d, pixels.reason], ['bernoulli', 64, 'the 64 columns look like image pixels']);
    // 16 columns of small integers are features (answers on a scale), not a 4 × 4 image.
    const answers = [0, 1, 2].map((i) => Array.from({ length: 16 }, (_, j) => 1 + ((i + j) % 5)));
    assert.equal(chooseFamily(table('survey.csv', answers), options()).id, 'gaussian');
  });

  it('a family named in the settings takes the data in its own form, or says why it cannot', () => {
    const asTable = chooseFamily(images('digits.idx', 5, 4, 4), options({ model: 'gaussian' }));
    assert.deepEqual([asTable.id, asTable.n, asTable.d, asTable.reason], ['gaussian', 5, 16, 'chosen in the settings']);
    const result = asTable.fit({ options: { ...options({ model: 'gaussian', covarianceType: 'diag' }), k: 2 }, started: Date.now(), callbacks: {} }).result;
    assert.deepEqual(result.columns.slice(0, 2), ['px0', 'px1']);
    // Pixels were scaled to [0, 1] (the image's scale is 255) before the Gaussian fit.
    assert.ok(result.means.flat().every((m) => m >= 0 && m <= 1), JSON.stringify(result.means));

    assert.throws(
      () => chooseFamily(table('faithful.csv', [[3.6, 79], [1.8, 54]], [22, 23]), options({ model: 'bernoulli' })),
      (e: unknown) =>
        e instanceof DataError &&
        /^faithful\.csv: a Bernoulli mixture needs binary or image data .*column "c1" has 3\.6 at line 22\. Use model "gaussian" or "auto"\.$/.test(e.message),
    );
  });

  it('an initialisation the chosen family lacks is refused, naming the families that have it', () => {
    assert.throws(
      () => fitDataset(faithful(), { init: 'random-assignment' }),
      (e: unknown) =>
        e instanceof OptionsError &&
        e.message === 'init "random-assignment" is for Bernoulli, categorical and Poisson mixtures; a Gaussian mixture starts from kmeans++, random, random-data or explicit parameters.',
    );
  });

  it('fitDataset runs the chosen family: model and modelReason come from the registry', () => {
    const gaussian = fitDataset(faithful(), { k: 2 }).result;
    assert.deepEqual([gaussian.model, gaussian.modelReason, gaussian.k], ['gaussian', 'the columns are continuous numbers', 2]);
    const bernoulli = fitDataset(table('votes.csv', [[0, 1, 1], [1, 0, 0], [1, 1, 0], [0, 0, 1]]), { k: 2 }).result;
    assert.deepEqual([bernoulli.model, bernoulli.modelReason], ['bernoulli', 'every value is 0 or 1']);
  });

  it('defineFamily binds a family to its prepared data: n, d, the reason and the fit context it is given', () => {
    let seen: { rows: number; reason: string; k: number } | undefined;
    const toy = defineFamily<{ n: number; d: number; rows: number }>({
      id: 'gaussian',
      label: 'Toy',
      inits: ['random'],
      detect: (dataset: Dataset) => (dataset.n > 2 ? { data: { n: dataset.n, d: 1, rows: dataset.n }, reason: 'more than two rows' } : undefined),
      prepare: (dataset: Dataset) => ({ n: dataset.n, d: 1, rows: dataset.n }),
      fit: (data, context) => {
        seen = { rows: data.rows, reason: context.reason, k: context.options.k };
        return { result: {} as never };
      },
    });
    assert.equal(toy.detect(table('two.csv', [[1], [2]]), options()), undefined);
    const chosen = toy.detect(table('three.csv', [[1], [2], [3]]), options())!;
    assert.deepEqual([chosen.n, chosen.d, chosen.reason], [3, 1, 'more than two rows']);
    chosen.fit({ options: { ...options(), k: 3 }, started: 0, callbacks: {} });
    assert.deepEqual(seen, { rows: 3, reason: 'more than two rows', k: 3 });
    assert.equal(toy.prepare(table('two.csv', [[1], [2]]), options(), 'chosen in the settings').reason, 'chosen in the settings');
  });
});
