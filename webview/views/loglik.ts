// The log-likelihood (objective) per iteration, every family: a rule marks the shown iteration, a click jumps there.

import { DATA, LOGLIK_PICK, loglikSpec, shownIterationData, type TraceSeries } from '../specs';
import { shownIteration, type PanelModel } from '../state/reducer';
import { candidateNote } from './common';
import type { ViewContext } from './context';
import { byId, setText } from './dom';

export function traceSeries(state: PanelModel): { series: TraceSeries[]; yTitle: string } {
  const result = state.panel?.result;
  const objective = result ? result.trace : state.objective;
  const logLikelihood = result ? (result.logLikelihoodTrace ?? result.trace) : state.logLikelihood;
  const differs = logLikelihood.some((v, i) => v !== objective[i]);
  if (differs) return { series: [{ name: 'objective', values: objective }, { name: 'log-likelihood', values: logLikelihood }], yTitle: 'log-likelihood (+ log prior)' };
  return { series: [{ name: 'log-likelihood', values: objective }], yTitle: 'log-likelihood' };
}

/** The iteration a `pick` selection value names: `{iteration: [t]}` (Vega-Lite's point selection), or none. */
export function pickedIteration(value: unknown): number | undefined {
  const field = (value as { iteration?: unknown } | null | undefined)?.iteration;
  const t = Array.isArray(field) ? field[0] : field;
  return typeof t === 'number' && Number.isFinite(t) ? t : undefined;
}

export async function drawLoglik(ctx: ViewContext): Promise<void> {
  const { state } = ctx;
  // A saved model applied to the file: one E-step, no curve to draw (the header gives its log-likelihood).
  const applied = state.panel?.result?.applied !== undefined;
  byId('loglik-card').hidden = applied;
  if (applied) return;
  // The trace is the chosen fit's: hidden (kept, not cleared) while another candidate of a selection is shown.
  const note = candidateNote(state);
  byId('loglik').hidden = note !== undefined;
  if (note) {
    setText('loglik-hint', `${note}; the log-likelihood per iteration is kept for the chosen model`);
    return;
  }
  const { series, yTitle } = traceSeries(state);
  if (series[0].values.length === 0) return;
  const result = state.panel?.result;
  const converged = result?.converged ? result.iterations : undefined;
  // The rule follows the scrubber only when it holds an iteration (following a live fit, it would sit at the end).
  const shown = state.ui.iteration === undefined ? undefined : shownIteration(state);
  const key = ['l', series.length, yTitle, ctx.themeVersion, converged ?? '-'].join('|');
  const spec = () => loglikSpec(series, { theme: ctx.theme, yTitle, convergedIteration: converged, shownIteration: shown });
  await ctx.charts.draw('loglik', {
    key,
    build: spec,
    datasets: () => {
      const { datasets } = spec() as { datasets: Record<string, object[]> };
      return { ...datasets, [DATA.shownIteration]: shownIterationData(shown) };
    },
    onCreate: (view) =>
      view.addSignalListener(LOGLIK_PICK, (_name, value) => {
        const t = pickedIteration(value);
        if (t !== undefined) ctx.act({ type: 'scrub', iteration: t });
      }),
  });
  Object.assign(byId('loglik').dataset, { points: String(series[0].values.length), series: String(series.length), shown: shown === undefined ? 'newest' : String(shown) });
  setText('loglik-hint', series.length > 1 ? 'Objective (log-likelihood + log prior) and log-likelihood per iteration — click to show an iteration' : 'Log-likelihood per iteration — click to show an iteration');
}
