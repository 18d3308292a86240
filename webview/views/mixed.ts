// The mixed family's view: its categorical block drawn by the categorical view (each cluster's answer profile and the
// parameter table), from the mixed snapshots seen as categorical ones.

import type { CategoricalSnapshot, ParamsSnapshot } from '../../src/shared/protocol';
import type { PanelModel } from '../state/reducer';
import { createCategoricalView } from './categorical';
import type { FamilyView, ViewContext } from './context';

/** A mixed snapshot's categorical block, as the categorical view draws it. */
export function categoricalBlock(snapshot: ParamsSnapshot | undefined): ParamsSnapshot | undefined {
  if (snapshot?.model !== 'mixed') return snapshot;
  const block: CategoricalSnapshot = { model: 'categorical', iteration: snapshot.iteration, weights: snapshot.weights, means: snapshot.probabilities, sizes: snapshot.sizes, confusion: snapshot.confusion };
  return block;
}

export function createMixedView(): FamilyView {
  const categorical = createCategoricalView();
  let cache: { from: PanelModel; to: PanelModel } | undefined;
  const asCategorical = (ctx: ViewContext): ViewContext => {
    if (cache?.from !== ctx.state) cache = { from: ctx.state, to: { ...ctx.state, snapshots: ctx.state.snapshots.map(categoricalBlock) as PanelModel['snapshots'] } };
    return { ...ctx, state: cache.to };
  };
  return {
    model: 'mixed',
    sectionId: categorical.sectionId,
    draw: (ctx) => categorical.draw(asCategorical(ctx)),
    params: (ctx, table) => categorical.params(asCategorical(ctx), table),
    clear: () => categorical.clear(),
  };
}
