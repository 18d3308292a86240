// "Apply a saved model to this file…": a model saved by `mixscope fit --save-model` (or the panel's model export)
// shown on a data file in the file's panel, as a fit's result is: the engine worker reads the file as the model's fit
// read its own (predict.ts) and packages the model's parameters with one E-step on the file's rows (apply.ts). A
// notification tells the log-likelihood and the rows per cluster, with the assignments saved on request. The
// panel's Re-run then fits the file afresh with the model's settings.

import * as vscode from 'vscode';
import { parseSavedModel, type SavedModel } from '../engine/model/schema';
import { appliedRunOptions } from './appliedRun';
import { readSettings } from './config';
import { readDataFile, statDataFile, userMessage, UserFacingError } from './dataFile';
import { formatBytes } from './validation';
import { assignmentsCsvOf } from './exportFormats';
import { saveWithDialog, siblingUri } from './exporting';
import { exportFileName } from './files';
import type { FitRegistry } from './fits';
import { fileNameOf } from './panel';
import type { FitOptions, FitResult } from '../shared/protocol';

/** Applies the model the user picks to `uri` in its panel; returns the applied result (undefined when cancelled or refused). */
export async function applySavedModel(uri: vscode.Uri, fits: FitRegistry, output: vscode.LogOutputChannel, modelArg?: unknown): Promise<FitResult | undefined> {
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
  const settings = readSettings(uri);
  const { maxFileSizeMB, memoryBudgetMB } = settings;
  let modelText: string;
  let model: SavedModel;
  let options: FitOptions;
  try {
    const size = await statDataFile(uri, fileName, maxFileSizeMB);
    // A saved model is applied in memory: a file over the budget is refused rather than read whole.
    if (size > memoryBudgetMB * 1024 * 1024) {
      throw new UserFacingError(
        `${fileName} is ${formatBytes(size)}, over the memory budget of ${memoryBudgetMB} MB (mixscope.memoryBudgetMB), and applying a saved model reads the file into memory. Raise mixscope.memoryBudgetMB if this machine has the memory, or apply the model to a smaller sample of the file.`,
      );
    }
    await statDataFile(modelUri, modelFileName, maxFileSizeMB);
    modelText = new TextDecoder().decode((await readDataFile(modelUri, modelFileName, maxFileSizeMB)).bytes);
    // Read here too, so that a file that is not a model is refused before a panel opens.
    model = parseSavedModel(modelText, modelFileName);
    options = appliedRunOptions(model, modelFileName, settings.options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output.warn(`apply ${modelUri.toString()} to ${uri.toString()}: ${message}`);
    void vscode.window.showErrorMessage(userMessage(about(message), message));
    return undefined;
  }
  // The run reads the data file, opens (or reuses) its panel and reports any failure naming the file.
  const result = await fits.fit(uri, options, settings, undefined, { modelFileName, modelText, modelUri });
  if (!result) return undefined;
  const sizes = new Array<number>(result.k).fill(0);
  for (const a of result.assignments) sizes[a]++;
  const what = `the ${model.family} model of ${model.source.fileName} (K = ${model.k}${model.covarianceModel ? `, ${model.covarianceModel}` : ''})`;
  const summary = `${fileName} under ${modelFileName}, ${what}: ${result.n} rows, log-likelihood ${result.logLikelihood.toFixed(2)}; rows per cluster ${sizes.join(' / ')}.`;
  output.info(`applied ${modelUri.toString()} to ${uri.toString()}: ${summary}`);
  const save = 'Save assignments…';
  const target = modelUri;
  void vscode.window.showInformationMessage(`Mixscope: ${summary}`, save).then(async (choice) => {
    if (choice !== save) return;
    await saveWithDialog({
      dataUri: uri,
      protectedUris: [target],
      defaultName: exportFileName(fileName, 'predicted', 'csv'),
      filters: { CSV: ['csv'] },
      what: `the clusters of ${fileName} under ${modelFileName}`,
      bytes: new TextEncoder().encode(assignmentsCsvOf(result.assignments)),
      output,
    });
  });
  return result;
}
