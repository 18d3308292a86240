// Labels, for every family: the cluster × label heatmap of the chosen fit with its scores (accuracy many-to-one and
// one-to-one, adjusted Rand index, NMI), and the majority label of each cluster as the parameter tables show it.
// Text labels (iris's species) are shown by name.

import type { LabelMetrics } from '../../src/shared/protocol';
import { formatNumber } from '../controls';
import { DATA, confusionData, confusionSpec } from '../specs';
import { shownSnapshot } from './common';
import { labelConfusion } from './iteration';
import type { ViewContext } from './context';
import { byId, setText } from './dom';

/** A cluster's majority label as shown: its name for text labels, else its value. */
export function majorityText(metrics: LabelMetrics, cluster: number): string {
  const c = metrics.clusters[cluster];
  if (!c || c.size === 0) return '—';
  return c.majorityLabelName ?? String(c.majorityLabel);
}

/** "Accuracy 0.967 (each cluster → its majority label) · one-to-one 0.967 · adjusted Rand index 0.904 · NMI 0.900". */
export function labelScoresText(m: LabelMetrics): string {
  const oneToOne = m.oneToOneAccuracy !== undefined ? ` · one-to-one ${formatNumber(m.oneToOneAccuracy, 3)}` : '';
  return `Accuracy ${formatNumber(m.accuracy, 3)} (each cluster → its majority label)${oneToOne} · adjusted Rand index ${formatNumber(m.adjustedRandIndex, 3)} · NMI ${formatNumber(m.normalizedMutualInfo, 3)}`;
}

export async function drawLabels(ctx: ViewContext): Promise<void> {
  const { theme } = ctx;
  const metrics = ctx.state.panel?.result?.labelMetrics;
  byId('confusion-card').hidden = !metrics;
  if (!metrics) {
    clearLabels(ctx);
    return;
  }
  const names = metrics.labelNames;
  // The shown iteration's counts, swapped in while scrubbing (labelConfusion in iteration.ts), on one colour scale.
  const shown = labelConfusion(ctx.state, metrics);
  const key = ['c', ctx.themeVersion, metrics.confusion.length, metrics.labelValues.join(), names?.join('\u0000') ?? '', shown.max, shown.final ? metrics.confusion.flat().join() : 'iterations'].join('|');
  await ctx.charts.draw('confusion', {
    key,
    build: () => confusionSpec(shown.counts, metrics.labelValues, theme, names, shown.max),
    datasets: () => ({ [DATA.confusion]: confusionData(shown.counts, metrics.labelValues, names) }),
  });
  const iteration = shownSnapshot(ctx.state).snapshot?.iteration;
  Object.assign(byId('confusion').dataset, { k: String(metrics.confusion.length), labels: String(metrics.labelValues.length), iteration: shown.final ? 'final' : String(iteration) });
  setText('label-metrics', labelScoresText(metrics));
}

export function clearLabels(ctx?: ViewContext): void {
  ctx?.charts.clear('confusion');
  byId('confusion-card').hidden = true;
  setText('label-metrics', '');
}
