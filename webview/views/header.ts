// The panel's header and status line: shown at once with every state (cheap text, never waits for a chart).

import { formatNumber } from '../controls';
import { modelOf, statusText, type PanelModel } from '../state/reducer';
import { byId, setText } from './dom';
import { FAMILY_TITLES } from '../../src/engine/families/ids';
import { choiceText, isModelSelection } from '../state/selection';


export function headerTitle(state: PanelModel): string {
  const panel = state.panel;
  const result = panel?.result;
  const model = modelOf(state);
  const k = result?.k ?? panel?.options.k;
  const parts = [panel?.fileName ?? ''];
  const covarianceType = result?.covarianceType ?? panel?.options.covarianceType;
  const applied = result?.applied;
  if (applied) {
    // Not a fit: say whose parameters these are, and where they were fitted.
    const family = FAMILY_TITLES[result.model];
    const covariance = applied.covarianceModel ? `, ${applied.covarianceModel}` : '';
    parts.push(`saved model ${applied.modelFile} applied (${family}${covariance}, K = ${result.k}, fitted to ${applied.fittedTo})`);
    return parts.filter(Boolean).join(' — ');
  }
  const selection = isModelSelection(state.selection) ? state.selection : undefined;
  if (selection) {
    // K and the covariance model are what the selection chose: "K = 3, EEE (chosen by BIC among 126 candidates)".
    if (model) parts.push(FAMILY_TITLES[model]);
    parts.push(choiceText(selection) ?? '');
    return parts.filter(Boolean).join(' — ');
  }
  if (model) parts.push(`${FAMILY_TITLES[model]}${model === 'gaussian' && covarianceType ? ` (${covarianceType})` : ''}`);
  if (k === 'auto') parts.push(`choosing K (${panel?.options.kRange ?? 'auto'})`);
  else if (k !== undefined) parts.push(`K = ${k}`);
  return parts.filter(Boolean).join(' — ');
}

export function headerSubtitle(state: PanelModel): string {
  const result = state.panel?.result;
  const summary = state.panel?.summary;
  const sub: string[] = [];
  const n = result?.n ?? summary?.n;
  const d = result?.d ?? summary?.d;
  if (n !== undefined) sub.push(`n = ${formatNumber(n)}`);
  if (d !== undefined) sub.push(`d = ${formatNumber(d)}`);
  if (result?.caseWeights) sub.push(`weighted by "${result.caseWeights.column}" (Σ w = ${formatNumber(result.caseWeights.total)})`);
  if (result?.missingCells) sub.push(`${formatNumber(result.missingCells.reduce((a, b) => a + b, 0))} missing cells integrated out`);
  if (result?.applied) {
    const a = result.applied;
    sub.push('not a fit: the model\'s parameters, no EM iterations');
    sub.push(`log-likelihood ${formatNumber(result.logLikelihood, 6)} (${formatNumber(a.fittedLogLikelihood, 6)} on ${a.fittedTo}, n = ${formatNumber(a.fittedRows)})`);
    sub.push(`BIC ${formatNumber(result.bic, 6)}`, `AIC ${formatNumber(result.aic, 6)}`);
    if (result.standardization) sub.push('standardised with the model\'s means and sds');
  } else if (result) {
    if (result.degenerate && result.degenerate.length > 0) sub.push(`degenerate after ${result.iterations} iterations`);
    else sub.push(result.converged ? `converged after ${result.iterations} iterations` : `not converged after ${result.iterations} iterations`);
    sub.push(`log-likelihood ${formatNumber(result.logLikelihood, 6)}`);
    sub.push(`BIC ${formatNumber(result.bic, 6)}`, `AIC ${formatNumber(result.aic, 6)}`);
    if (result.emVariant === 'hard') sub.push('hard EM');
    if (result.standardization) sub.push('standardised columns');
    sub.push(`${formatNumber(result.elapsedMs / 1000, 3)} s`);
  } else if (state.phase === 'running' && state.snapshots.length > 0 && !state.stale) {
    sub.push(`iteration ${state.snapshots.length - 1}${state.restart > 0 ? ` (restart ${state.restart + 1})` : ''}`);
  }
  return sub.join(' · ');
}

export function headerNotes(state: PanelModel): string[] {
  const result = state.panel?.result;
  const summary = state.panel?.summary;
  const items: string[] = [];
  if (result?.modelReason) items.push(`Model: ${result.modelReason}`);
  if (summary) {
    // Skipped rows are reported once, by the loader's notes, each with its own cause and lines.
    for (const c of summary.droppedColumns) items.push(`Column "${c.name}" left out: ${c.reason}`);
    items.push(...summary.notes);
  }
  // What the engine noticed during the fit (regularisation vs tiny variances, threads, separated starts).
  if (result?.notes) items.push(...result.notes);
  return items;
}

export function showHeader(state: PanelModel): void {
  setText('title', headerTitle(state));
  document.title = state.panel?.fileName || 'Mixscope';
  setText('subtitle', headerSubtitle(state));
  const notes = headerNotes(state);
  const list = byId('notes');
  const current = Array.from(list.children, (li) => li.textContent ?? '');
  if (current.length !== notes.length || current.some((t, i) => t !== notes[i])) {
    list.replaceChildren(
      ...notes.map((t) => {
        const li = document.createElement('li');
        li.textContent = t;
        return li;
      }),
    );
  }
  const status = byId('status');
  status.dataset.state = state.phase;
  status.textContent = statusText(state);
  const busy = state.phase === 'loading' || state.phase === 'running';
  byId('cancel').hidden = !busy;
  (byId('rerun') as HTMLButtonElement).disabled = busy;
  // The finished fit can be reproduced in code: Python for every family, R (mclust) for Gaussian mixtures.
  const result = state.panel?.result;
  byId('code-bar').hidden = busy || !result;
  byId('copy-r').hidden = result?.model !== 'gaussian';
}

/** A one-off message in the status line (an export that failed), keeping the phase. */
export function showStatusMessage(text: string): void {
  byId('status').textContent = text;
}
