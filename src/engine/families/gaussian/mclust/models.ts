// mclust's Gaussian covariance models: names, parameter counts and BIC exactly as R's mclust 6 counts them.
// Σ_k = λ_k D_k A_k D_kᵀ (Celeux & Govaert 1995): the three letters say whether the volume λ, the shape A and the
// orientation D are Equal across components, Variable, or the Identity (I: spherical / axis-aligned).

/** The 14 multivariate models of mclust 6, in mclust's order. */
export const MCLUST_MULTIVARIATE_MODELS = [
  'EII', 'VII', 'EEI', 'VEI', 'EVI', 'VVI', 'EEE', 'VEE', 'EVE', 'VVE', 'EEV', 'VEV', 'EVV', 'VVV',
] as const;

/** The two models for one column: equal (E) or variable (V) variance. */
export const MCLUST_UNIVARIATE_MODELS = ['E', 'V'] as const;

export type MclustMultivariateModel = (typeof MCLUST_MULTIVARIATE_MODELS)[number];
export type MclustUnivariateModel = (typeof MCLUST_UNIVARIATE_MODELS)[number];
export type MclustModelName = MclustMultivariateModel | MclustUnivariateModel;

/**
 * Models whose M-step mclust computes in closed form. The others iterate inside each M-step (VEI and VEV:
 * Celeux & Govaert's alternation of volumes and shape; VEE, EVE, VVE: Browne & McNicholas 2014).
 */
export const MCLUST_CLOSED_FORM_MODELS: ReadonlySet<MclustModelName> = new Set<MclustModelName>([
  'E', 'V', 'EII', 'VII', 'EEI', 'EVI', 'VVI', 'EEE', 'EEV', 'EVV', 'VVV',
]);

/** scikit-learn's covariance types as mclust models (with regularisation 0 the fits coincide). */
export const SKLEARN_COVARIANCE_ALIASES = { spherical: 'VII', diag: 'VVI', tied: 'EEE', full: 'VVV' } as const;

const ALL_MODELS: ReadonlySet<string> = new Set<string>([...MCLUST_MULTIVARIATE_MODELS, ...MCLUST_UNIVARIATE_MODELS]);

export function isMclustModelName(name: string): name is MclustModelName {
  return ALL_MODELS.has(name);
}

/** True for the models that apply to one column (E, V); the 14 others need d ≥ 2 in mclust. */
export function isUnivariateModel(model: MclustModelName): model is MclustUnivariateModel {
  return model === 'E' || model === 'V';
}

/** Free parameters of the K covariance matrices (mclust's `nVarParams`). */
export function nVarParams(model: MclustModelName, d: number, k: number): number {
  const rotation = (d * (d - 1)) / 2;
  switch (model) {
    case 'E':
      return 1;
    case 'V':
      return k;
    case 'EII':
      return 1;
    case 'VII':
      return k;
    case 'EEI':
      return d;
    case 'VEI':
      return k + (d - 1);
    case 'EVI':
      return 1 + k * (d - 1);
    case 'VVI':
      return k * d;
    case 'EEE':
      return d + rotation;
    case 'VEE':
      return k + (d - 1) + rotation;
    case 'EVE':
      return 1 + k * (d - 1) + rotation;
    case 'VVE':
      return k + k * (d - 1) + rotation;
    case 'EEV':
      return 1 + (d - 1) + k * rotation;
    case 'VEV':
      return k + (d - 1) + k * rotation;
    case 'EVV':
      return 1 + k * (d - 1) + k * rotation;
    case 'VVV':
      return k * (d + rotation);
  }
}

/** Free parameters of the mixture (mclust's `nMclustParams`, unequal proportions, no noise component). */
export function nMclustParams(model: MclustModelName, d: number, k: number): number {
  return nVarParams(model, d, k) + k * d + (k - 1);
}

/** BIC in mclust's sign: 2 ln L − p ln n, higher is better (Mixscope's −2 ln L + p ln n is its negative). */
export function mclustBic(logLikelihood: number, parameters: number, n: number): number {
  return 2 * logLikelihood - parameters * Math.log(n);
}

/**
 * mclust's ICL (`icl.Mclust`): BIC plus twice the log of each row's largest responsibility (the first on ties), in
 * mclust's sign. `z` is n × K row-major.
 */
export function mclustIcl(bic: number, z: Float64Array, n: number, k: number, caseWeights?: Float64Array): number {
  let entropyTerm = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (z[i * k + c] > z[i * k + best]) best = c;
    if (z[i * k + best] > 0 && (!caseWeights || caseWeights[i] > 0)) entropyTerm += (caseWeights ? caseWeights[i] : 1) * Math.log(z[i * k + best]);
  }
  return bic + 2 * entropyTerm;
}

/**
 * The models mclust tries by default on n × d data (`mclustBIC`): E and V for one column; otherwise all 14, or only
 * the six spherical and diagonal ones (EII, VII, EEI, VEI, EVI, VVI) when n ≤ d.
 */
export function defaultMclustModels(n: number, d: number): MclustModelName[] {
  if (d === 1) return [...MCLUST_UNIVARIATE_MODELS];
  if (n <= d) return MCLUST_MULTIVARIATE_MODELS.slice(0, 6);
  return [...MCLUST_MULTIVARIATE_MODELS];
}
