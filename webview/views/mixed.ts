// The mixed family's view: its Gaussian block drawn by the Gaussian view (the scatter or projection of the numeric
// columns with each component's ellipses, or a histogram for one column), its Poisson block by the Poisson view (the
// rates heatmap of the count columns and their histograms) and its categorical block by the categorical view (each
// cluster's answer profile and the parameter table), from the mixed snapshots seen as each family's. A block the fit
// does not have hides its section.

import type { CategoricalSnapshot, GaussianSnapshot, ParamsSnapshot, PoissonSnapshot } from '../../src/shared/protocol';
import type { PanelModel } from '../state/reducer';
import { createCategoricalView } from './categorical';
import type { FamilyView, ViewContext } from './context';
import { byId } from './dom';
import { createGaussianView } from './gaussian';
import { createPoissonView } from './poisson';

/** A mixed snapshot's categorical block, as the categorical view draws it. */
export function categoricalBlock(snapshot: ParamsSnapshot | undefined): ParamsSnapshot | undefined {
  if (snapshot?.model !== 'mixed') return snapshot;
  const block: CategoricalSnapshot = { model: 'categorical', iteration: snapshot.iteration, weights: snapshot.weights, means: snapshot.probabilities, sizes: snapshot.sizes, confusion: snapshot.confusion };
  return block;
}

/** A mixed snapshot's Gaussian block (the numeric columns), as the Gaussian view draws it. */
export function gaussianBlock(snapshot: ParamsSnapshot | undefined): ParamsSnapshot | undefined {
  if (snapshot?.model !== 'mixed') return snapshot;
  const block: GaussianSnapshot = { model: 'gaussian', iteration: snapshot.iteration, weights: snapshot.weights, means: snapshot.means, covariances: snapshot.covariances, confusion: snapshot.confusion };
  return block;
}

/** A mixed snapshot's Poisson block (the count columns' rates), as the Poisson view draws it. */
export function poissonBlock(snapshot: ParamsSnapshot | undefined): ParamsSnapshot | undefined {
  if (snapshot?.model !== 'mixed') return snapshot;
  const block: PoissonSnapshot = { model: 'poisson', iteration: snapshot.iteration, weights: snapshot.weights, means: snapshot.rates ?? [], sizes: snapshot.sizes, confusion: snapshot.confusion };
  return block;
}

/** The panel with the count columns as its columns (and no plotted numeric rows), as the Poisson view reads them. */
function asCountPanel(state: PanelModel): PanelModel['panel'] {
  const panel = state.panel;
  const counts = panel?.result?.countColumns ?? panel?.summary?.countColumns;
  if (!panel || !counts) return panel;
  return { ...panel, plotSample: undefined, ...(panel.result ? { result: { ...panel.result, columns: counts } } : {}), ...(panel.summary ? { summary: { ...panel.summary, columns: counts } } : {}) };
}

/**
 * The state with every snapshot seen through `block` (and the panel through `panel`), cached per state: a redraw of
 * the same state maps nothing.
 */
function viewedAs(block: (s: ParamsSnapshot | undefined) => ParamsSnapshot | undefined, panel?: (state: PanelModel) => PanelModel['panel']): (ctx: ViewContext) => ViewContext {
  let cache: { from: PanelModel; to: PanelModel } | undefined;
  return (ctx) => {
    if (cache?.from !== ctx.state) cache = { from: ctx.state, to: { ...ctx.state, snapshots: ctx.state.snapshots.map(block) as PanelModel['snapshots'], ...(panel ? { panel: panel(ctx.state) } : {}) } };
    return { ...ctx, state: cache.to };
  };
}

export function createMixedView(): FamilyView {
  const categorical = createCategoricalView();
  const gaussian = createGaussianView();
  const poisson = createPoissonView();
  const asCategorical = viewedAs(categoricalBlock);
  const asGaussian = viewedAs(gaussianBlock);
  const asPoisson = viewedAs(poissonBlock, asCountPanel);
  /** The blocks of the fit shown: a Gaussian one (numeric columns), a Poisson one (count columns), a categorical one. */
  const blocks = (ctx: ViewContext) => {
    const snapshot = ctx.state.snapshots.find((s) => s?.model === 'mixed');
    const result = ctx.state.panel?.result;
    if (snapshot?.model !== 'mixed') return { gaussian: result ? result.d > 0 : true, poisson: result?.countColumns !== undefined, categorical: result ? result.categories !== undefined : true };
    return { gaussian: (snapshot.means[0]?.length ?? 0) > 0, poisson: snapshot.rates !== undefined, categorical: (snapshot.probabilities[0]?.length ?? 0) > 0 };
  };
  return {
    model: 'mixed',
    sectionId: categorical.sectionId,
    alsoShows: [gaussian.sectionId, poisson.sectionId],
    draw: async (ctx) => {
      const has = blocks(ctx);
      byId(gaussian.sectionId).hidden = !has.gaussian;
      byId(poisson.sectionId).hidden = !has.poisson;
      byId(categorical.sectionId).hidden = !has.categorical;
      await Promise.all([
        has.gaussian ? gaussian.draw(asGaussian(ctx)) : undefined,
        has.poisson ? poisson.draw(asPoisson(ctx)) : undefined,
        has.categorical ? categorical.draw(asCategorical(ctx)) : undefined,
      ]);
    },
    // The categorical view's table (weight, size, answers); without a categorical block, the Poisson view's (rates).
    params: (ctx, table) => (blocks(ctx).categorical ? categorical.params(asCategorical(ctx), table) : poisson.params(asPoisson(ctx), table)),
    clear: () => {
      gaussian.clear();
      poisson.clear();
      categorical.clear();
    },
  };
}
