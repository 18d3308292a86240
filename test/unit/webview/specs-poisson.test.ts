// The Poisson view's specs render with their marks; the fitted probabilities are the mixture's Poisson pmf.

import { strict as assert } from 'node:assert';
import { countRows, countsSpec, mixturePmf, rateRows, ratesSpec } from '../../../webview/specs/poisson';
import { markItems, renderSvg, testTheme } from './helpers';

describe('Poisson view specs', () => {
  const theme = testTheme('dark');

  it('the rates heatmap has one cell and one value per cluster and column', async () => {
    const rates = [
      [1.5, 6, 0.25],
      [9, 2, 3],
    ];
    const svg = await renderSvg(ratesSpec(rateRows(rates, ['a', 'b', 'c']), 2, ['a', 'b', 'c'], theme));
    assert.equal(markItems(svg, 'rate_cells'), 6);
    assert.equal(markItems(svg, 'rate_values'), 6);
    assert.ok(svg.includes('>1.5<') && svg.includes('>0.25<'));
  });

  it('mixturePmf is Σ π_k λ_k^x e^−λ_k / x!', () => {
    const pmf = mixturePmf(6, [0.3, 0.7], [1, 4]);
    const pois = (x: number, l: number) => (l ** x * Math.exp(-l)) / [1, 1, 2, 6, 24, 120][x];
    pmf.forEach((p, x) => assert.ok(Math.abs(p - (0.3 * pois(x, 1) + 0.7 * pois(x, 4))) < 1e-15, `x = ${x}`));
  });

  it('the count histograms: one bar and one fitted point per count in each column; a tail bar gets the tail probability', async () => {
    const data = countRows(
      [
        { column: 'a', frequencies: [5, 3, 2] },
        { column: 'b', frequencies: [1, 1, 4, 4], tailFrom: 3 },
      ],
      [1],
      [[1, 2]],
    );
    assert.equal(data.bars.length, 7);
    const tail = data.probabilities[data.probabilities.length - 1];
    const head = mixturePmf(3, [1], [2]).reduce((s, p) => s + p, 0);
    assert.ok(Math.abs((tail.probability as number) - (1 - head)) < 1e-15);
    assert.equal(tail.label, '≥3');
    const svg = await renderSvg(countsSpec(data, ['a', 'b'], 600, theme));
    assert.equal(markItems(svg, 'count_bars'), 7);
  });
});
