// The one map from a mixture family to its view: adding a family = one view module + one entry here.

import type { ModelKind } from '../../src/shared/protocol';
import { createBernoulliView } from './bernoulli';
import { createCategoricalView } from './categorical';
import type { FamilyView } from './context';
import { createGaussianView } from './gaussian';
import { createMixedView } from './mixed';
import { createPoissonView } from './poisson';

export function createFamilyViews(): Record<ModelKind, FamilyView> {
  return {
    gaussian: createGaussianView(),
    bernoulli: createBernoulliView(),
    poisson: createPoissonView(),
    categorical: createCategoricalView(),
    mixed: createMixedView(),
  };
}
