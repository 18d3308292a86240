// The last finished result of each panel, kept by the host in the extension's workspace state (keyed by the data
// file's URI) so that a panel comes back with it after a window reload, whatever the webview saved. Kept small: the
// per-iteration snapshots are thinned to a bounded count (the scrubber then shows the nearest kept iteration), and
// only the most recently saved files are kept. No `vscode` import: a Memento-like store is passed in.

import type { PanelState, ParamsSnapshot } from '../shared/protocol';
import { validatePanelState } from './validation';

/** The part of vscode.Memento the store uses. */
export interface StateMemento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** Numbers of all kept snapshots together, at most (MNIST K = 10: 10 × 784 per snapshot → 25 snapshots). */
export const MAX_STORED_SNAPSHOT_NUMBERS = 200_000;
/** Snapshots kept per result, at most (the first and the last always). */
export const MAX_STORED_SNAPSHOTS = 60;
/** Files whose last result is kept; the least recently saved is dropped first. */
export const MAX_STORED_PANELS = 20;

const INDEX_KEY = 'mixscope.panels';
const entryKey = (fileUri: string) => `mixscope.panel:${fileUri}`;

interface StoredPanel {
  state: PanelState;
  /** How many snapshots the result had before thinning, and the index of each one kept. */
  snapshotCount: number;
  keptSnapshots: number[];
}

function snapshotSize(s: ParamsSnapshot): number {
  const means = s.means.reduce((sum, row) => sum + row.length, 0);
  const covariances = s.model === 'gaussian' ? s.covariances.reduce((sum, m) => sum + m.length * (m[0]?.length ?? 0), 0) : s.sizes.length;
  const confusion = (s.confusion ?? []).reduce((sum, row) => sum + row.length, 0);
  return s.weights.length + means + covariances + confusion;
}

/** Indices of the snapshots to keep: evenly spread over the run, the first and the last always among them. */
export function thinnedIndices(count: number, keep: number): number[] {
  if (count <= keep) return Array.from({ length: count }, (_, i) => i);
  if (keep <= 1) return [count - 1];
  const indices = new Set<number>();
  for (let j = 0; j < keep; j++) indices.add(Math.round((j * (count - 1)) / (keep - 1)));
  return [...indices].sort((a, b) => a - b);
}

/** The stored form of a panel's state: its result's snapshots thinned to a bounded count. */
export function toStored(state: PanelState): StoredPanel {
  const snapshots = state.result?.snapshots ?? [];
  if (!state.result || snapshots.length === 0) return { state, snapshotCount: 0, keptSnapshots: [] };
  const perSnapshot = Math.max(1, snapshotSize(snapshots[snapshots.length - 1]));
  const keep = Math.max(2, Math.min(MAX_STORED_SNAPSHOTS, Math.floor(MAX_STORED_SNAPSHOT_NUMBERS / perSnapshot)));
  const kept = thinnedIndices(snapshots.length, keep);
  return { state: { ...state, result: { ...state.result, snapshots: kept.map((i) => snapshots[i]) } }, snapshotCount: snapshots.length, keptSnapshots: kept };
}

/** Back to a full-length snapshot list: each iteration shows the nearest kept snapshot at or before it. */
export function fromStored(stored: StoredPanel): PanelState {
  const { state, snapshotCount, keptSnapshots } = stored;
  const kept = state.result?.snapshots;
  if (!state.result || !kept || kept.length === 0 || kept.length !== keptSnapshots.length || snapshotCount <= kept.length) return state;
  const snapshots: ParamsSnapshot[] = new Array(snapshotCount);
  let j = 0;
  for (let i = 0; i < snapshotCount; i++) {
    while (j + 1 < keptSnapshots.length && keptSnapshots[j + 1] <= i) j++;
    snapshots[i] = kept[j];
  }
  return { ...state, result: { ...state.result, snapshots } };
}

/** The panel state inside what a webview saved with setState (`{panel: PanelState, …}`), or the whole of it. */
export function savedPanelState(saved: unknown): unknown {
  return typeof saved === 'object' && saved !== null && 'panel' in saved ? (saved as { panel: unknown }).panel : saved;
}

/** The data file a saved webview state names: `fileUri` at its top level or in its panel state. */
export function savedFileUri(saved: unknown): string | undefined {
  for (const candidate of [saved, savedPanelState(saved)]) {
    const uri = typeof candidate === 'object' && candidate !== null ? (candidate as { fileUri?: unknown }).fileUri : undefined;
    if (typeof uri === 'string' && uri.length > 0 && uri.length <= 8192) return uri;
  }
  return undefined;
}

export class PanelStore {
  constructor(private readonly memento: StateMemento) {}

  /** Keeps this finished state for its file (replacing the file's previous one). */
  save(state: PanelState): void {
    const index = (this.memento.get<string[]>(INDEX_KEY) ?? []).filter((uri) => uri !== state.fileUri);
    index.push(state.fileUri);
    const dropped = index.splice(0, Math.max(0, index.length - MAX_STORED_PANELS));
    void this.memento.update(entryKey(state.fileUri), toStored(state));
    for (const uri of dropped) void this.memento.update(entryKey(uri), undefined);
    void this.memento.update(INDEX_KEY, index);
  }

  /** The last finished state of this file, as the panel showed it (unchecked: validate before use). */
  load(fileUri: string): unknown {
    const stored = this.memento.get<StoredPanel>(entryKey(fileUri));
    if (typeof stored !== 'object' || stored === null || typeof stored.state !== 'object' || stored.state === null || !Array.isArray(stored.keptSnapshots)) return undefined;
    const result: unknown = stored.state.result;
    if (result !== undefined && (typeof result !== 'object' || result === null || !Array.isArray((result as { snapshots?: unknown }).snapshots))) return undefined;
    try {
      return fromStored(stored);
    } catch {
      return undefined; // damaged: the caller falls back to what the webview saved
    }
  }
}

/**
 * The state a panel comes back with after a reload: the last result the host kept for the file the webview's saved
 * state names, else the state the webview saved itself (older versions saved it all). Both are validated.
 */
export function stateToRestore(saved: unknown, store: Pick<PanelStore, 'load'> | undefined): { ok: true; value: PanelState; warning?: string } | { ok: false; error: string } {
  const fileUri = savedFileUri(saved);
  const kept = fileUri !== undefined ? store?.load(fileUri) : undefined;
  if (kept !== undefined) {
    const checked = validatePanelState(kept);
    if (checked.ok) return checked;
    const fallback = validatePanelState(savedPanelState(saved));
    const warning = `the kept result of ${fileUri} could not be used (${checked.error}); restoring what the panel saved`;
    return fallback.ok ? { ...fallback, warning } : { ok: false, error: checked.error };
  }
  return validatePanelState(savedPanelState(saved));
}
