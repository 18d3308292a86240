// The commands: which files they act on, the questions of "with options…", cancel and export. The fits themselves
// are run by the FitRegistry (fits.ts). Every command catches its errors: the extension host never sees a throw.

import { FAMILY_DESCRIPTIONS, FAMILY_IDS } from '../engine/families/ids';
import { applySavedModel } from './applyModel';
import { chooseTarget } from './commandTarget';
import * as vscode from 'vscode';
import { readSettings, reportSettingProblems } from './config';
import { readDataFile, readFileHead, statDataFile, userMessage, UserFacingError, type ReadFile } from './dataFile';
import { planHostFit } from './fitPlan';
import { modelJson, assignmentsCsv } from './exportFormats';
import { scriptFor } from './reproduce';
import { saveWithDialog, siblingUri } from './exporting';
import { exportFileName, inspectionBytes, matchesDataFileMenus, isIdxImagesFileName, isDelimitedTextFileName } from './files';
import { fileDialogFilters } from '../engine/data/formatNames';
import type { FitRegistry } from './fits';
import { fileNameOf, type FitPanel, type PanelManager } from './panel';
import type { CovarianceType, FitOptions, FitResult, ModelChoice } from '../shared/protocol';
import { settingSpec, type EnumSpec } from '../shared/settings';
import { rerunOptions } from './rerun';
import { describeValue, parseKAnswer, validateMaxIterations } from './validation';
import { requestColumnListing } from './workerClient';

// ------------------------------------------------------------------------------------------------ target files

function activeResource(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.uri.scheme !== 'untitled') return editor.document.uri;
  // Binary files (IDX, .npy, .gz) open in a custom or binary editor, not a text editor.
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return undefined;
}

/**
 * The files a command acts on: the Explorer's selection, else the clicked resource (context menus), else the active
 * editor's file if it is a data file, else a file picker. Empty when the user cancels the picker.
 */
export async function resolveTargets(arg?: unknown, selection?: unknown, purpose = { openLabel: 'Cluster', title: 'Mixscope: choose a data file to cluster' }): Promise<vscode.Uri[]> {
  if (Array.isArray(selection) && selection.length > 1 && selection.every((u) => u instanceof vscode.Uri)) return selection as vscode.Uri[];
  if (arg instanceof vscode.Uri) return [arg];
  const active = activeResource();
  if (active && matchesDataFileMenus(fileNameOf(active))) return [active];
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    canSelectFiles: true,
    canSelectFolders: false,
    openLabel: purpose.openLabel,
    title: purpose.title,
    defaultUri: active ? siblingUri(active, '') : vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: fileDialogFilters(),
  });
  return picked ?? [];
}

// ------------------------------------------------------------------------------------------------ commands

export interface CommandEnv {
  output: vscode.LogOutputChannel;
  panels: PanelManager;
  fits: FitRegistry;
}

/** Wraps a command so that nothing it throws reaches the extension host. */
function safely(env: CommandEnv, name: string, body: (...args: unknown[]) => Promise<unknown>): (...args: unknown[]) => Promise<unknown> {
  return async (...args: unknown[]) => {
    try {
      return await body(...args);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      env.output.error(`${name} failed: ${error instanceof Error ? (error.stack ?? text) : text}`);
      void vscode.window.showErrorMessage(`Mixscope: ${text}`);
    }
  };
}

export function registerCommands(context: vscode.ExtensionContext, env: CommandEnv): void {
  const register = (id: string, body: (...args: unknown[]) => Promise<unknown>) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, safely(env, id, body)));

  // Returns the FitResult (undefined if the fit failed or was cancelled), or one per file for a multi-selection:
  // scripts and the integration tests use it.
  register('mixscope.clusterDataset', async (arg, selection) => {
    const targets = await resolveTargets(arg, selection);
    const results = await Promise.all(
      targets.map((uri) => {
        const settings = readSettings(uri);
        reportSettingProblems(settings.problems, env.output);
        return env.fits.fit(uri, settings.options, settings);
      }),
    );
    return targets.length > 1 ? results : results[0];
  });

  register('mixscope.clusterDatasetWithOptions', async (arg) => {
    const [uri] = await resolveTargets(arg);
    if (!uri) return undefined;
    return clusterWithOptions(env, uri);
  });

  // Shows the model on the file in its panel; returns the applied result (FitResult with `applied`), or undefined:
  // scripts and tests use it.
  register('mixscope.applySavedModel', async (arg, model) => {
    const [uri] = await resolveTargets(arg, undefined, { openLabel: 'Choose', title: 'Mixscope: choose a data file to apply a saved model to' });
    if (!uri) return undefined;
    return applySavedModel(uri, env.fits, env.output, model);
  });

  register('mixscope.cancelFit', async (arg) => {
    const running = env.fits.running();
    const target = chooseTarget(arg, env.panels.active()?.key, running.map((r) => r.key));
    let key = target.kind === 'file' ? target.key : undefined;
    if (target.kind === 'choose') {
      const pick = await vscode.window.showQuickPick(
        running.map((r) => ({ label: r.fileName, description: r.key, key: r.key })),
        { title: 'Mixscope: cancel which fit?' },
      );
      key = pick?.key;
      if (!key) return;
    }
    if (!key || !env.fits.cancel(key, 'user')) void vscode.window.showInformationMessage('Mixscope: no fit is running.');
  });

  register('mixscope.exportResult', async (arg) => {
    const withResults = env.panels.all().filter((p) => p.result);
    const target = chooseTarget(arg, env.panels.active()?.key, withResults.map((p) => p.key));
    let panel = target.kind === 'file' ? withResults.find((p) => p.key === target.key) : undefined;
    if (target.kind === 'choose') {
      const pick = await vscode.window.showQuickPick(
        withResults.map((p) => ({ label: p.fileName, description: p.fileUri.toString(true), panel: p })),
        { title: 'Mixscope: export the result of which file?' },
      );
      if (!pick) return;
      panel = pick.panel;
    }
    if (!panel) {
      void vscode.window.showInformationMessage('Mixscope: there is no finished fit to export yet. Run "Cluster this dataset" first.');
      return;
    }
    const fitted = panel.result!;
    const gaussian = fitted.result.model === 'gaussian';
    const format = await vscode.window.showQuickPick(
      [
        { label: 'Cluster assignments (CSV)', description: fitted.result.assignedRows ? `${fitted.result.assignedRows.length} evenly drawn of ${fitted.result.n} rows (fitted out of core): row, cluster` : `${fitted.result.n} rows: row, cluster`, id: 'csv' as const },
        { label: 'Fitted model (JSON)', description: 'for mixscope predict: weights, means, covariances, columns, preprocessing, settings', id: 'json' as const },
        { label: 'Python script', description: `numpy${gaussian ? ' and scikit-learn' : ''}: rebuilds the model and prints its log-likelihood on the file`, id: 'py' as const },
        ...(gaussian ? [{ label: 'R script', description: 'mclust: rebuilds the model and prints its log-likelihood on the file', id: 'R' as const }] : []),
      ],
      { title: `Mixscope: export the fit of ${panel.fileName}` },
    );
    if (!format) return;
    let text: string;
    try {
      text =
        format.id === 'csv'
          ? assignmentsCsv(fitted.result)
          : format.id === 'json'
            ? modelJson(panel.fileName, fitted.options, fitted.result, fitted.summary)
            : scriptFor({ fileUri: panel.fileUri, fileName: panel.fileName, fitted }, format.id === 'py' ? 'python' : 'r');
    } catch (error) {
      void vscode.window.showErrorMessage(`Mixscope: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const what = { csv: 'the cluster assignments', json: 'the fitted model', py: 'the model as a Python script', R: 'the model as an R script' }[format.id];
    await saveWithDialog({
      dataUri: panel.fileUri,
      protectedUris: panel.protectedUris,
      defaultName: exportFileName(panel.fileName, format.id === 'csv' ? 'assignments' : 'model', format.id),
      filters: { csv: { CSV: ['csv'] }, json: { JSON: ['json'] }, py: { Python: ['py'] }, R: { R: ['R', 'r'] } }[format.id],
      what,
      bytes: new TextEncoder().encode(text),
      output: env.output,
    });
  });
}

/**
 * Re-run from the panel: the panel's last options with the new K and iterations (already validated). After a model
 * selection the panel shows the chosen model, so a re-run at another K keeps that covariance model.
 */
export function rerunFromPanel(fits: FitRegistry, panel: FitPanel, k: number | 'auto', maxIterations: number): void {
  const settings = readSettings(panel.fileUri);
  void fits.fit(panel.fileUri, rerunOptions(panel.options ?? settings.options, panel.result?.result, k, maxIterations, settings.options), settings);
}

// ------------------------------------------------------------------------------------------------ with options

/** The start of a file the loader lists the columns from (the header and enough rows to type them). */
const INSPECTION_BYTES = 256 * 1024;

async function clusterWithOptions(env: CommandEnv, uri: vscode.Uri): Promise<FitResult | undefined> {
  const fileName = fileNameOf(uri);
  const settings = readSettings(uri);
  reportSettingProblems(settings.problems, env.output);
  const o = settings.options;
  const steps = 5;
  const title = (step: number) => `Mixscope: cluster ${fileName} (${step}/${steps})`;

  const models: { label: string; description: string; id: ModelChoice }[] = [
    { label: 'auto', description: 'Bernoulli for binary or image data, Gaussian otherwise', id: 'auto' },
    ...FAMILY_IDS.map((id) => ({ label: id, description: FAMILY_DESCRIPTIONS[id], id })),
  ];
  const model = await vscode.window.showQuickPick(
    models.map((m) => ({ ...m, picked: m.id === o.model, detail: m.id === o.model ? 'current setting' : undefined })),
    { title: title(1), placeHolder: 'Model' },
  );
  if (!model) return;

  const kChoice = await askK(title(2), o);
  if (kChoice === undefined) return;
  const maxIterations = await askWholeNumber(title(3), 'Maximum EM iterations', o.maxIterations, (v) => validateMaxIterations(v, 'The number of iterations'));
  if (maxIterations === undefined) return;

  let covarianceType: CovarianceType = o.covarianceType;
  let covarianceModels = o.covarianceModels;
  if (model.id === 'gaussian' || model.id === 'auto') {
    const pick = await vscode.window.showQuickPick(covarianceItems(o), { title: title(4), placeHolder: 'Covariance model (Gaussian)', matchOnDescription: true });
    if (!pick) return;
    if (pick.id === 'auto') covarianceModels = 'auto';
    else {
      // One model: fitted alone at a fixed K, or at every K of the range when K is auto.
      covarianceType = pick.id;
      covarianceModels = pick.id;
    }
  }

  // Columns: read the file once (the fit reuses the bytes) and let the real loader list them from a prefix. A file
  // fitted out of core is not read here: its first lines are enough to list the columns.
  let data: ReadFile | undefined;
  let head: Uint8Array | undefined;
  let streamedWithoutPick = false;
  try {
    const size = await statDataFile(uri, fileName, settings.maxFileSizeMB);
    const plan = planHostFit(uri, fileName, size, settings);
    if (plan.kind === 'refused') throw new UserFacingError(plan.message);
    // Parquet and Arrow keep their schema at the end or spread over the file: their column pick is skipped out of core.
    if (plan.kind === 'outOfCore') streamedWithoutPick = !isDelimitedTextFileName(fileName);
    if (plan.kind === 'outOfCore' && !streamedWithoutPick) head = await readFileHead(uri, fileName, INSPECTION_BYTES + 1);
    else if (plan.kind !== 'outOfCore') data = await readDataFile(uri, fileName, settings.maxFileSizeMB);
  } catch (error) {
    void vscode.window.showErrorMessage(userMessage(fileName, error instanceof Error ? error.message : String(error)));
    return;
  }
  let columns = o.columns;
  let sheet = o.sheet;
  const bytes = data?.bytes ?? head ?? new Uint8Array(0);
  const sample = isIdxImagesFileName(fileName) || streamedWithoutPick ? undefined : inspectionBytes(fileName, bytes, INSPECTION_BYTES);
  if (sample) {
    let inspected = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Mixscope: reading the columns of ${fileName}` },
      () => requestColumnListing({ workerPath: env.fits.workerPath }, { fileName, bytes: sample, options: { ...o, model: model.id, columns: [] } }),
    );
    if (inspected.status === 'error') {
      void vscode.window.showErrorMessage(userMessage(fileName, inspected.message).split('\n')[0]);
      return;
    }
    // A workbook with several sheets holding numbers: ask which one, then list that sheet's columns.
    const numericSheets = inspected.status === 'listed' ? (inspected.listing.sheets ?? []).filter((s) => s.numeric).map((s) => s.name) : [];
    if (numericSheets.length > 1) {
      const chosen = await vscode.window.showQuickPick(
        numericSheets.map((name) => ({ label: name, description: name === o.sheet ? 'current setting' : undefined })),
        { title: title(5), placeHolder: `Sheet of ${fileName} to fit (${numericSheets.length} hold numeric tables)` },
      );
      if (!chosen) return;
      sheet = chosen.label;
      const again = await requestColumnListing({ workerPath: env.fits.workerPath }, { fileName, bytes: inspectionBytes(fileName, bytes, INSPECTION_BYTES) ?? sample, options: { ...o, model: model.id, columns: [], sheet } });
      if (again.status === 'error') {
        void vscode.window.showErrorMessage(userMessage(fileName, again.message).split('\n')[0]);
        return;
      }
      inspected = again;
    }
    if (inspected.status === 'listed' && !inspected.listing.imageShape && inspected.listing.columns.length > 1) {
      const all = inspected.listing.columns;
      const wanted = new Set(o.columns.length ? o.columns : all);
      const dropped = inspected.listing.droppedColumns;
      const picks = await vscode.window.showQuickPick(
        all.map((c) => ({ label: c, picked: wanted.has(c) })),
        {
          title: title(5),
          canPickMany: true,
          placeHolder: `Columns to fit (${all.length} numeric${dropped.length ? `; not numeric: ${dropped.map((d) => d.name).join(', ')}` : ''})`,
        },
      );
      if (!picks) return;
      if (picks.length === 0) {
        void vscode.window.showWarningMessage(`Mixscope: no column chosen, so ${fileName} was not fitted.`);
        return;
      }
      columns = picks.length === all.length ? [] : picks.map((p) => p.label);
    } else if (inspected.status === 'timeout') {
      env.output.warn(`${fileName}: reading the columns took too long; fitting ${o.columns.length ? o.columns.join(', ') : 'every numeric column'}`);
    }
  }
  return env.fits.fit(uri, { ...o, model: model.id, ...kChoice, maxIterations, covarianceType, covarianceModels, columns, sheet }, settings, data);
}

/** The covariance models offered by "…with options": compare them all (K auto), or one of them. */
function covarianceItems(o: FitOptions): (vscode.QuickPickItem & { id: CovarianceType | 'auto' })[] {
  const spec = settingSpec('covarianceType') as EnumSpec;
  const current = o.covarianceModels === 'auto' ? 'auto' : o.covarianceType;
  const items: (vscode.QuickPickItem & { id: CovarianceType | 'auto' })[] = [
    { id: 'auto', label: 'compare every model', description: 'each covariance model that fits the data, chosen by the criterion (as mclust)' },
    ...spec.values.map((value, i) => ({ id: value as CovarianceType, label: value, description: spec.valueDescriptions[i] })),
  ];
  return items.map((item) => ({ ...item, detail: item.id === current ? 'current setting' : undefined }));
}

/** K: a whole number, "auto" (every K of the current kRange), or a range "A-B" / list "2,3,5" to compare. */
async function askK(title: string, o: FitOptions): Promise<Pick<FitOptions, 'k' | 'kRange'> | undefined> {
  const parse = (text: string) => parseKAnswer(text, o.kRange);
  const answer = await vscode.window.showInputBox({
    title,
    prompt: `Number of components K: a number, or a range (1-9) or list (2,3,5) to compare, or auto (${o.kRange})`,
    value: String(o.k),
    validateInput: (text) => {
      const checked = parse(text);
      return checked.ok ? undefined : checked.error;
    },
  });
  if (answer === undefined) return undefined;
  const checked = parse(answer);
  return checked.ok ? checked.value : undefined;
}

async function askWholeNumber(
  title: string,
  prompt: string,
  current: number,
  validate: (v: unknown) => { ok: true; value: number } | { ok: false; error: string },
): Promise<number | undefined> {
  const parse = (text: string) => (text.trim() === '' ? NaN : Number(text.trim()));
  const answer = await vscode.window.showInputBox({
    title,
    prompt,
    value: String(current),
    validateInput: (text) => {
      const checked = validate(parse(text));
      return checked.ok ? undefined : checked.error.replace(/got NaN/, `got ${describeValue(text)}`);
    },
  });
  if (answer === undefined) return undefined;
  const checked = validate(parse(answer));
  return checked.ok ? checked.value : undefined;
}
