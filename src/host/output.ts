// The text of the Mixscope output channel and of the progress notification, from a run's events. Pure (no `vscode`
// import), so every line is tested in plain mocha.

import type { FitOptions, FitResult } from '../shared/protocol';
import { describeOptions as describeSettings } from '../shared/settingsText';
import type { LoadedMessage, ProgressMessage } from './workerClient';

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e6 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(4) : x.toFixed(3);
}

/** Every setting of a run that applies to its family (all of them while the family is not known yet), one line. */
export function describeOptions(o: FitOptions): string {
  return describeSettings(o).join(', ');
}

/** The log lines of a loaded dataset: shape, columns, model and why, then what the loader noticed. */
export function loadedLogLines(fileName: string, m: LoadedMessage): string[] {
  const s = m.summary;
  const columns = s.columns.length <= 12 ? s.columns.join(', ') : `${s.columns.slice(0, 12).join(', ')}, …`;
  const lines = [`${fileName}: loaded ${s.n} × ${s.d} (${columns}); model ${m.model}: ${m.modelReason}`];
  // The loader's notes say why rows were skipped, with their lines; this line only when none of them does.
  if (s.skippedRows > 0 && !s.notes.some((note) => /\bskipped\b/.test(note) && /\brows?\b/.test(note))) lines.push(`  skipped ${s.skippedRows} rows (lines ${s.skippedLines.join(', ')}${s.skippedRows > s.skippedLines.length ? ', …' : ''})`);
  for (const d of s.droppedColumns) lines.push(`  column ${d.name} left out: ${d.reason}`);
  for (const note of s.notes) lines.push(`  ${note}`);
  return lines;
}

/** "converged after 12 iterations" / "stopped after 100 iterations (not converged)" / "degenerate after 9 iterations (…)". */
export function describeEnding(r: FitResult): string {
  // A saved model applied to the file: no EM ran, so nothing converged or stopped.
  if (r.applied) return `${r.applied.modelFile} applied (the parameters fitted to ${r.applied.fittedTo}, no iterations)`;
  if (r.degenerate && r.degenerate.length > 0) {
    const why = r.degenerate.map((c) => `${c.component < 0 ? 'the shared covariance' : `component ${c.component + 1}`}: ${c.reason}`).join('; ');
    return `degenerate after ${r.iterations} iterations (${why})`;
  }
  return r.converged ? `converged after ${r.iterations} iterations` : `stopped after ${r.iterations} iterations (not converged)`;
}

/** The log lines of a finished fit: model, K, how it ended, time, log-likelihood, BIC, AIC, then the engine's notes. */
export function doneLogLines(fileName: string, r: FitResult, elapsedMs: number): string[] {
  const head = `${fileName}: ${r.model} mixture, K = ${r.k}, ${describeEnding(r)} in ${elapsedMs} ms; log-likelihood ${formatNumber(r.logLikelihood)}, BIC ${formatNumber(r.bic)}, AIC ${formatNumber(r.aic)}`;
  return [head, ...(r.notes ?? []).map((note) => `  ${note}`)];
}

/** The progress notification's text for one iteration, and how far the run is (0–100) over all restarts. */
export function progressReport(m: ProgressMessage, options: FitOptions): { message: string; percent: number } {
  const totalSteps = Math.max(1, options.maxIterations * options.restarts);
  const done = Math.min(totalSteps, m.restart * options.maxIterations + m.iteration);
  const restart = options.restarts > 1 ? ` (restart ${m.restart + 1}/${options.restarts})` : '';
  return { message: `iteration ${m.iteration}${restart} · log-likelihood ${formatNumber(m.logLikelihood)}`, percent: (100 * done) / totalSteps };
}
