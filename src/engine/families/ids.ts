// The mixture families the engine fits, by id. Dependency-free so that the settings schema, the CLI and the webview
// can list the families without bundling the engine. The registry (registry.ts) has one entry per id.

export const FAMILY_IDS = ['gaussian', 'bernoulli'] as const;

export type FamilyId = (typeof FAMILY_IDS)[number];

export function isFamilyId(value: unknown): value is FamilyId {
  return typeof value === 'string' && (FAMILY_IDS as readonly string[]).includes(value);
}
