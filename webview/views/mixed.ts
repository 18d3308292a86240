// The mixed family's view: its Gaussian block drawn by the Gaussian view (the scatter or projection of the numeric
// columns with each component's ellipses, or a histogram for one column) and its categorical block by the
// categorical view (each cluster's answer profile and the parameter table), from the mixed snapshots seen as
// Gaussian and categorical ones.

import type { CategoricalSnapshot, GaussianSnapshot, ParamsSnapshot } from '../../src/shared/protocol';
import type { PanelModel } from '../state/reducer';
import { createCategoricalView } from './categorical';
import type { FamilyView, ViewContext } from './context';
import { createGaussianView } from './gaussian';

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

/** The state with every snapshot seen through `block` (cached per state: a redraw of the same state maps nothing). */
function viewedAs(block: (s: ParamsSnapshot | undefined) => ParamsSnapshot | undefined): (ctx: ViewContext) => ViewContext {
  let cache: { from: PanelModel; to: PanelModel } | undefined;
  return (ctx) => {
    if (cache?.from !== ctx.state) cache = { from: ctx.state, to: { ...ctx.state, snapshots: ctx.state.snapshots.map(block) as PanelModel['snapshots'] } };
    return { ...ctx, state: cache.to };
  };
}

export function createMixedView(): FamilyView {
  const categorical = createCategoricalView();
  const gaussian = createGaussianView();
  const asCategorical = viewedAs(categoricalBlock);
  const asGaussian = viewedAs(gaussianBlock);
  return {
    model: 'mixed',
    sectionId: categorical.sectionId,
    alsoShows: [gaussian.sectionId],
    draw: async (ctx) => {
      await Promise.all([gaussian.draw(asGaussian(ctx)), categorical.draw(asCategorical(ctx))]);
    },
    params: (ctx, table) => categorical.params(asCategorical(ctx), table),
    clear: () => {
      gaussian.clear();
      categorical.clear();
    },
  };
}
