// The mixture families the engine fits, by id. Dependency-free so that the settings schema, the CLI and the webview
// can list the families without bundling the engine. The registry (registry.ts) has one entry per id.

export const FAMILY_IDS = ['gaussian', 'bernoulli', 'poisson', 'categorical', 'mixed'] as const;

export type FamilyId = (typeof FAMILY_IDS)[number];

/** Each family's name in the panel's header and messages. */
export const FAMILY_TITLES: Record<FamilyId, string> = {
  gaussian: 'Gaussian mixture',
  bernoulli: 'Bernoulli mixture',
  poisson: 'Poisson mixture',
  categorical: 'Categorical mixture (latent classes)',
  mixed: 'Mixed mixture (Gaussian, Poisson and categorical blocks)',
};

/** Each family as the settings, the "with options…" pick and --help describe it (setting `model` = the id). */
export const FAMILY_DESCRIPTIONS: Record<FamilyId, string> = {
  gaussian: 'Gaussian mixture on the numeric columns.',
  bernoulli: 'Bernoulli mixture on binarised values (pixels scaled to [0, 1], then > threshold).',
  poisson: 'Poisson mixture on count columns (non-negative whole numbers), independent given the cluster.',
  categorical: 'Latent class analysis: text columns of a few categories, independent given the cluster (as poLCA).',
  mixed: 'Numeric, count and categorical columns together: any two or three of a Gaussian block (any covariance model), a Poisson block (the countColumns setting) and a latent-class block, independent given the cluster (as StepMix).',
};

export function isFamilyId(value: unknown): value is FamilyId {
  return typeof value === 'string' && (FAMILY_IDS as readonly string[]).includes(value);
}
