// The contents of the result exports (pure: no vscode import, unit-tested).

import { emitPython } from '../engine/model/emit/python';
import { emitR } from '../engine/model/emit/r';
import { buildSavedModel, savedModelJson, type SavedModel } from '../engine/model/schema';
import type { DatasetSummary, FitOptions, FitResult } from '../shared/protocol';

/**
 * One line per fitted row: its 1-based position among the rows used in the fit (rows skipped for missing values are
 * not counted: the log lists them) and its cluster, 0..K−1 as in the model JSON and the CLI's --json `assignments`.
 */
export function assignmentsCsv(result: FitResult): string {
  return assignmentsCsvOf(result.assignments, result.assignedRows);
}

/**
 * `row,cluster` lines of any assignments (a fit's, or a saved model's on another file). `rows`: the 0-based rows
 * they are of, when a sample (an out-of-core fit's plotted rows).
 */
export function assignmentsCsvOf(assignments: ArrayLike<number>, rows?: readonly number[]): string {
  const lines = ['row,cluster'];
  for (let i = 0; i < assignments.length; i++) lines.push(`${(rows ? rows[i] : i) + 1},${assignments[i]}`);
  return lines.join('\n') + '\n';
}

/**
 * The fitted model as `mixscope fit --save-model` writes it (src/engine/model/schema.ts), so that `mixscope predict`
 * and the emitted scripts read the panel's export too. `summary`: what the loader read (how to read another file).
 */
export function modelJson(fileName: string, options: FitOptions, result: FitResult, summary?: DatasetSummary): string {
  return savedModelJson(savedModel(fileName, options, result, summary));
}

function savedModel(fileName: string, options: FitOptions, result: FitResult, summary?: DatasetSummary): SavedModel {
  const read: DatasetSummary = summary ?? { fileName, n: result.n, d: result.d, columns: result.columns, droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] };
  return buildSavedModel({ options, result, summary: { ...read, fileName } });
}

/**
 * The Python or R script that rebuilds the fitted model and reads `dataPath` as the fit read it (the CLI's
 * --emit-python / --emit-r). Throws an OptionsError for what the language cannot reproduce (R: Bernoulli mixtures).
 */
export function modelScript(language: 'python' | 'r', dataPath: string, options: FitOptions, result: FitResult, summary?: DatasetSummary): string {
  const fileName = dataPath.replace(/^.*[\\/]/, '');
  const model = savedModel(fileName, options, result, summary);
  return language === 'python' ? emitPython(model, dataPath) : emitR(model, dataPath);
}
