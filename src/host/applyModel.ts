// "Apply a saved model to this file…": a model saved by `mixscope fit --save-model` (or the panel's model export)
// applied to a data file in an engine worker, as `mixscope predict` does: each row's cluster and the total
// log-likelihood, told in a notification and the output channel, with the assignments saved on request.

import * as vscode from 'vscode';
import { readSettings } from './config';
import { readDataFile, statDataFile, userMessage, UserFacingError } from './dataFile';
import { formatBytes } from './validation';
import { assignmentsCsvOf } from './exportFormats';
import { saveWithDialog, siblingUri } from './exporting';
import { exportFileName } from './files';
import type { FitRegistry } from './fits';
import { fileNameOf } from './panel';
import type { PredictionSummary } from '../shared/protocol';
import { requestPrediction } from './workerClient';

/** Applies the model the user picks to `uri`; returns the prediction (undefined when cancelled or refused). */
export async function applySavedModel(uri: vscode.Uri, fits: FitRegistry, output: vscode.LogOutputChannel, modelArg?: unknown): Promise<PredictionSummary | undefined> {
  const fileName = fileNameOf(uri);
  let modelUri = modelArg instanceof vscode.Uri ? modelArg : undefined;
  if (!modelUri) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      canSelectFiles: true,
      canSelectFolders: false,
      openLabel: 'Apply',
      title: `Mixscope: choose a saved model to apply to ${fileName}`,
      defaultUri: siblingUri(uri, ''),
      filters: { 'Mixscope model': ['json'] },
    });
    modelUri = picked?.[0];
    if (!modelUri) return undefined;
  }
  const modelFileName = fileNameOf(modelUri);
  // Which file a message is about: the model's own problems name the model file.
  const about = (message: string) => (message.startsWith(modelFileName) ? modelFileName : fileName);
  const { maxFileSizeMB, memoryBudgetMB } = readSettings(uri);
  let data: Uint8Array;
  let modelText: string;
  try {
    const size = await statDataFile(uri, fileName, maxFileSizeMB);
    // A saved model is applied in memory: a file over the budget is refused rather than read whole.
    if (size > memoryBudgetMB * 1024 * 1024) {
      throw new UserFacingError(
        `${fileName} is ${formatBytes(size)}, over the memory budget of ${memoryBudgetMB} MB (mixscope.memoryBudgetMB), and applying a saved model reads the file into memory. Raise mixscope.memoryBudgetMB if this machine has the memory, or apply the model to a smaller sample of the file.`,
      );
    }
    data = (await readDataFile(uri, fileName, maxFileSizeMB)).bytes;
    await statDataFile(modelUri, modelFileName, maxFileSizeMB);
    modelText = new TextDecoder().decode((await readDataFile(modelUri, modelFileName, maxFileSizeMB)).bytes);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(userMessage(about(message), message));
    return undefined;
  }
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Mixscope: applying ${modelFileName} to ${fileName}` },
    () => requestPrediction({ workerPath: fits.workerPath }, { fileName, bytes: data, modelFileName, modelText }),
  );
  if (outcome.status !== 'predicted') {
    const message = outcome.status === 'timeout' ? `${fileName}: applying ${modelFileName} took too long and was stopped.` : outcome.message;
    output.error(`apply ${modelUri.toString()} to ${uri.toString()}: ${message}`);
    void vscode.window.showErrorMessage(userMessage(about(message), message).split('\n')[0]);
    return undefined;
  }
  const p = outcome.prediction;
  const sizes = new Array<number>(p.k).fill(0);
  for (const a of p.assignments) sizes[a]++;
  const what = `the ${p.model.family} model of ${p.model.fittedTo} (K = ${p.k}${p.model.covarianceModel ? `, ${p.model.covarianceModel}` : ''})`;
  const summary = `${fileName} under ${modelFileName}, ${what}: ${p.n} rows, log-likelihood ${p.logLikelihood.toFixed(2)}; rows per cluster ${sizes.join(' / ')}.`;
  output.info(`applied ${modelUri.toString()} to ${uri.toString()} in ${outcome.elapsedMs} ms: ${summary}`);
  for (const note of p.notes) output.info(`  read: ${note}`);
  const save = 'Save assignments…';
  void vscode.window.showInformationMessage(`Mixscope: ${summary}`, save).then(async (choice) => {
    if (choice !== save) return;
    await saveWithDialog({
      dataUri: uri,
      protectedUris: [modelUri],
      defaultName: exportFileName(fileName, 'predicted', 'csv'),
      filters: { CSV: ['csv'] },
      what: `the clusters of ${fileName} under ${modelFileName}`,
      bytes: new TextEncoder().encode(assignmentsCsvOf(p.assignments)),
      output,
    });
  });
  return p;
}
