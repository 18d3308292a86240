// Pure helpers for the panel's controls and text (no DOM), shared by main.ts and the unit tests.

import { LIMITS } from '../src/shared/protocol';
import type { FitResult } from '../src/shared/protocol';

export type RerunCheck = { ok: true; k: number | 'auto'; maxIterations: number } | { ok: false; message: string; field: 'k' | 'max-iter' };

/** Validates the K and max-iterations inputs before posting `rerun` (the host validates again). */
export function validateRerun(kText: string, maxIterationsText: string): RerunCheck {
  // "auto": choose K (and, for a Gaussian mixture, the covariance model) again, as the settings' kRange says.
  const k = kText.trim().toLowerCase() === 'auto' ? 'auto' : parseStrictInteger(kText);
  if (k === undefined || (k !== 'auto' && (k < LIMITS.kMin || k > LIMITS.kMax))) {
    return { ok: false, field: 'k', message: `K must be a whole number from ${LIMITS.kMin} to ${LIMITS.kMax}, or auto.` };
  }
  const maxIterations = parseStrictInteger(maxIterationsText);
  if (maxIterations === undefined || maxIterations < LIMITS.maxIterationsMin || maxIterations > LIMITS.maxIterationsMax) {
    return {
      ok: false,
      field: 'max-iter',
      message: `Max iterations must be a whole number from ${LIMITS.maxIterationsMin} to ${LIMITS.maxIterationsMax}.`,
    };
  }
  return { ok: true, k, maxIterations };
}

function parseStrictInteger(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+]?\d{1,9}$/.test(t)) return undefined;
  return Number(t);
}

// One formatter each (toLocaleString builds a new one per call: the parameter tables format thousands of numbers).
const INTEGERS = new Intl.NumberFormat('en-US');
const DECIMALS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 12 });

/** A number for tables and titles: 4 significant digits, thousands separators for big integers. */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return INTEGERS.format(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(digits - 1);
  return DECIMALS.format(Number(value.toPrecision(digits)));
}

/** Cluster sizes: hard counts from the assignments when all are present, else from the plotted sample, else n·π. */
export function clusterSizes(
  result: Pick<FitResult, 'k' | 'n' | 'weights' | 'assignments'>,
  plotAssignments?: number[],
): { sizes: number[]; source: 'all' | 'sample' | 'weights' } {
  const count = (labels: ArrayLike<number>) => {
    const sizes = new Array<number>(result.k).fill(0);
    for (let i = 0; i < labels.length; i++) {
      const c = labels[i];
      if (c >= 0 && c < result.k) sizes[c]++;
    }
    return sizes;
  };
  if (result.assignments && result.assignments.length === result.n) return { sizes: count(result.assignments), source: 'all' };
  if (plotAssignments && plotAssignments.length > 0) return { sizes: count(plotAssignments), source: 'sample' };
  return { sizes: result.weights.map((w) => Math.round(w * result.n)), source: 'weights' };
}

/** "Cluster 3 · n 5,923 · π 0.099 · label 0, 92% pure" — the caption of one mean image. */
export function clusterCaption(
  k: number,
  size: number | undefined,
  weight: number | undefined,
  label?: { majorityLabel: number | string; purity: number },
): string {
  const parts = [`#${k + 1}`];
  if (size !== undefined) parts.push(`n ${formatNumber(size)}`);
  if (weight !== undefined) parts.push(`π ${weight.toFixed(3)}`);
  if (label) parts.push(`'${label.majorityLabel}' ${Math.round(label.purity * 100)}%`);
  return parts.join(' · ');
}
