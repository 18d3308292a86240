// The model-selection chart and ranking, driven by R mclust's own BIC tables (test/reference/mclust_bic.json, made by
// make_mclust_bic_reference.R): the panel's ranking must pick R's model, and the chart — compiled by vega-lite and
// rendered to SVG in Node through the CSP-safe interpreter — must draw one line per model, a point per usable
// candidate, a × per NA cell and a ring around the choice.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { SelectionEntry } from '../../../src/shared/protocol';
import { SELECTION_DATA, selectionData, selectionSpec } from '../../../webview/specs/selection';
import { bestCandidate, clarityText, rankCandidates, rankingText, withProgress, type SelectionModel } from '../../../webview/state/selection';
import { markGroups, markItems, markLabels, renderSvg, renderView, testTheme } from './helpers';

interface MclustTable {
  n: number;
  d: number;
  models: string[];
  /** Rows K = 1…9, columns models; mclust's sign (higher is better), null = NA. */
  bic: (number | null)[][];
  best: { model: string; k: number; bic: number };
}
const REFERENCE = JSON.parse(readFileSync('test/reference/mclust_bic.json', 'utf8')) as { G: number[] } & Record<string, MclustTable>;

/** R's table as the engine reports it: scikit-learn's sign (−mclust's BIC), NA cells with a reason. */
function entriesOf(table: MclustTable): SelectionEntry[] {
  return REFERENCE.G.flatMap((k, i) =>
    table.models.map((covariance, j): SelectionEntry => {
      const b = table.bic[i][j];
      return {
        k, covariance, logLikelihood: null, parameters: 0, bic: b === null ? null : -b, icl: null, aic: null, iterations: 1, converged: b !== null, degenerate: false,
        ...(b === null ? { reason: 'a covariance is singular' } : {}),
      };
    }),
  );
}

function selectionOf(name: string, chosen: SelectionModel['chosen'] = null): SelectionModel {
  const table = REFERENCE[name];
  const entries = entriesOf(table);
  return { criterion: 'bic', ks: REFERENCE.G, models: table.models, entries, done: entries.length, total: entries.length, chosen, finished: true, cancelled: false };
}

const theme = testTheme('dark');
const HEIGHT = 280;

describe('webview selection: ranking against R mclust', () => {
  for (const name of ['faithful', 'iris', 'diabetes', 'waiting']) {
    it(`${name}: the best candidate is Mclust()'s choice, Δ BIC as R's differences`, () => {
      const table = REFERENCE[name];
      // No choice given: the panel ranks the candidates itself (as it does live).
      const selection = selectionOf(name);
      const ranked = rankCandidates(selection);
      assert.deepEqual(bestCandidate(selection), { k: table.best.k, covariance: table.best.model });
      assert.equal(ranked[0].value, -table.best.bic);
      const usable = table.bic.flat().filter((v) => v !== null) as number[];
      assert.equal(ranked.length, usable.length);
      const sorted = [...usable].sort((a, b) => b - a);
      ranked.forEach((r, i) => assert.ok(Math.abs(r.delta - (sorted[0] - sorted[i])) < 1e-9));
    });
  }

  it('faithful: "EEE, K = 3 — BIC 2314.3 — Δ 0", then the runners-up', () => {
    const ranked = rankCandidates(selectionOf('faithful', { k: 3, covariance: 'EEE' }));
    assert.equal(rankingText(ranked[0], 'bic'), 'EEE, K = 3 — BIC 2314.3 — Δ 0');
    // The second row is R's second best (VVE, K = 2 at −2320.433: Δ 6.1).
    const table = REFERENCE.faithful;
    const second = [...table.bic.flatMap((row, i) => row.map((v, j) => ({ v: v ?? -Infinity, k: REFERENCE.G[i], m: table.models[j] })))].sort((a, b) => b.v - a.v)[1];
    assert.equal(`${ranked[1].entry.covariance},${ranked[1].entry.k}`, `${second.m},${second.k}`);
    assert.equal(rankingText(ranked[1], 'bic'), `${second.m}, K = ${second.k} — BIC ${(-second.v).toFixed(1)} — Δ ${(table.best.bic - second.v).toFixed(1)}`);
    assert.equal(rankingText(ranked[1], 'bic'), 'VVE, K = 2 — BIC 2320.4 — Δ 6.1');
    assert.match(clarityText(selectionOf('faithful', { k: 3, covariance: 'EEE' })), / — strong evidence/);
  });

  it('iris: VEV K = 2 over VEV K = 3 by less than 2 — weak evidence', () => {
    const text = clarityText(selectionOf('iris', { k: 2, covariance: 'VEV' }));
    assert.match(text, /^VEV, K = 2 over the next best, VEV, K = 3: Δ BIC 0\.8 — weak evidence/);
  });
});

describe('webview selection: the BIC chart (rendered through vega-interpreter)', () => {
  it('iris: one line per model broken at NA, a point per usable candidate, a × per NA cell, the chosen ringed', async () => {
    const selection = selectionOf('iris', { k: 2, covariance: 'VEV' });
    const data = selectionData(selection, HEIGHT);
    const svg = await renderSvg(selectionSpec(selection, data, { theme, height: HEIGHT }));
    const lines = markGroups(svg, 'selection_lines');
    assert.equal(lines.length, 14, 'one line per covariance model');
    assert.ok(lines.every((c) => c === 1), 'each model is one path');
    assert.deepEqual(markLabels(svg, 'selection_lines').sort(), [...REFERENCE.iris.models].sort());
    // R's NA cells: VEE at K = 5, 7, 9 and EVV at K = 5, 6 — the lines break there (a new subpath after each gap).
    const pathOf = (model: string) => new RegExp(`aria-label="${model}"[^>]* d="([^"]*)"`).exec(svg)![1];
    assert.equal((pathOf('VEE').match(/M/g) ?? []).length, 3);
    assert.equal((pathOf('EVV').match(/M/g) ?? []).length, 2);
    assert.equal((pathOf('VVV').match(/M/g) ?? []).length, 1);
    assert.equal(markItems(svg, 'selection_points'), 126 - 5);
    assert.deepEqual(markLabels(svg, 'selection_missing').sort(), [
      'EVV, K = 5: missing — a covariance is singular',
      'EVV, K = 6: missing — a covariance is singular',
      'VEE, K = 5: missing — a covariance is singular',
      'VEE, K = 7: missing — a covariance is singular',
      'VEE, K = 9: missing — a covariance is singular',
    ]);
    assert.deepEqual(markLabels(svg, 'selection_chosen'), ['chosen: VEV, K = 2']);
    assert.equal(markItems(svg, 'selection_shown'), 0);
    assert.ok(svg.includes("BIC (lower is better; mclust's BIC is its negative)"), 'the y axis says the sign');
  });

  it('the crosses sit along the bottom edge, stacked per K, under their K', async () => {
    const selection = selectionOf('iris', { k: 2, covariance: 'VEV' });
    const view = await renderView(selectionSpec(selection, selectionData(selection, HEIGHT), { theme, height: HEIGHT }));
    const items = (mark: string) => (view.scenegraph() as unknown as { root: { items: { items: { name?: string; items: { x: number; y: number; datum: { k: number; label: string } }[] }[] }[] } }).root.items[0].items.find((g) => g.name === mark)!.items;
    const crosses = items('selection_missing_marks');
    const points = items('selection_points_marks');
    assert.equal(crosses.length, 5);
    for (const c of crosses) {
      assert.ok(c.y <= HEIGHT && c.y >= HEIGHT - 30, `${c.datum.label} at y = ${c.y}`);
      const sameK = points.find((p) => p.datum.k === c.datum.k)!;
      assert.ok(Math.abs(sameK.x - c.x) < 1e-9, 'under its K');
    }
    const atFive = crosses.filter((c) => c.datum.k === 5).map((c) => c.y);
    assert.equal(new Set(atFive).size, 2, 'two crosses at K = 5 do not overlap');
    view.finalize();
  });

  it('live: candidates arrive (largest K first), the view swaps its rows, the best so far is ringed', async () => {
    const full = selectionOf('diabetes');
    const m = full.models.length;
    const order = [...full.entries.keys()].sort((a, b) => Math.floor(b / m) - Math.floor(a / m) || a - b);
    let live: SelectionModel | undefined;
    const progress = (count: number) => {
      for (const i of order.slice(live?.entries.length ?? 0, count)) {
        live = withProgress(live, { type: 'selectionProgress', runId: 1, criterion: 'bic', ks: full.ks, models: full.models, entry: full.entries[i], done: (live?.entries.length ?? 0) + 1, total: full.entries.length });
      }
      return live!;
    };
    const first = progress(20);
    const view = await renderView(selectionSpec(first, selectionData(first, HEIGHT), { theme, height: HEIGHT }));
    const swap = async (s: SelectionModel) => {
      const data = selectionData(s, HEIGHT);
      for (const [name, rows] of Object.entries({ [SELECTION_DATA.points]: data.points, [SELECTION_DATA.missing]: data.missing, [SELECTION_DATA.chosen]: data.chosen, [SELECTION_DATA.shown]: data.shown })) view.data(name, rows);
      await view.runAsync();
      return view.toSVG();
    };
    let svg = await view.toSVG();
    assert.equal(markItems(svg, 'selection_points'), 20);
    // K = 9 and part of K = 8 only: the best so far among them.
    const bestSoFar = bestCandidate(first)!;
    assert.ok(bestSoFar.k >= 8);
    assert.deepEqual(markLabels(svg, 'selection_chosen'), [`best so far: ${bestSoFar.covariance}, K = ${bestSoFar.k}`]);
    svg = await swap(progress(126));
    assert.equal(markItems(svg, 'selection_points'), 126);
    assert.equal(markGroups(svg, 'selection_lines').length, 14);
    assert.deepEqual(markLabels(svg, 'selection_chosen'), ['best so far: VVV, K = 3'], "R's choice for diabetes");
    // A candidate shown instead of the choice gets its own (dashed) ring.
    const shown = { ...live!, chosen: { k: 3, covariance: 'VVV' }, finished: true };
    const data = selectionData(shown, HEIGHT, { k: 5, covariance: 'EEE' });
    view.data(SELECTION_DATA.chosen, data.chosen).data(SELECTION_DATA.shown, data.shown);
    await view.runAsync();
    svg = await view.toSVG();
    assert.deepEqual(markLabels(svg, 'selection_chosen'), ['chosen: VVV, K = 3']);
    assert.deepEqual(markLabels(svg, 'selection_shown'), ['shown: EEE, K = 5']);
    view.finalize();
  });
});
