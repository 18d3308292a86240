// Variational Bayesian Gaussian mixture (scikit-learn's BayesianGaussianMixture): see fit.ts.
export {
  DEFAULT_EFFECTIVE_WEIGHT_THRESHOLD,
  fitVariational,
  type VariationalCovarianceType,
  type VariationalOptions,
  type VariationalPriors,
  type VariationalResult,
  type WeightConcentrationPriorType,
} from './fit';
export { digamma, lnBeta, lnGamma } from '../../../em/special';
