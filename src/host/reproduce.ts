// "Reproduce in code" from the panel: the fitted model as a Python or R script (the CLI's --emit-python / --emit-r),
// copied to the clipboard or opened as a new, unsaved editor. Nothing is written to disk here.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DatasetSummary, FitOptions, FitResult } from '../shared/protocol';
import { modelScript } from './exportFormats';
import { exportFileName } from './files';

export type ScriptLanguage = 'python' | 'r';

export interface FittedForScript {
  fileUri: vscode.Uri;
  fileName: string;
  fitted: { result: FitResult; options: FitOptions; summary?: DatasetSummary };
}

/** The languages a fit can be reproduced in: R (mclust) has Gaussian mixtures only. */
export function scriptLanguages(result: FitResult): ScriptLanguage[] {
  return result.model === 'gaussian' ? ['python', 'r'] : ['python'];
}

export const LANGUAGE_NAMES: Record<ScriptLanguage, string> = { python: 'Python', r: 'R' };

/** The script's text; it reads the data file where it is (by its name alone when it is not on this machine's disk). */
export function scriptFor(target: FittedForScript, language: ScriptLanguage): string {
  const dataPath = target.fileUri.scheme === 'file' ? target.fileUri.fsPath : target.fileName;
  return modelScript(language, dataPath, target.fitted.options, target.fitted.result, target.fitted.summary);
}

/** How a "Copy as …" or "Open as a new file" ended, with one sentence for the panel. */
export type ScriptOutcome = { outcome: 'copied' | 'opened' | 'cancelled' | 'failed'; message: string };

/**
 * Copies the script or opens it in a new untitled editor (in the language's mode, beside the panel's column so the
 * panel stays in view). `language` 'ask' offers the fit's languages in a quick pick when there are several.
 */
export async function reproduceInCode(target: FittedForScript, language: ScriptLanguage | 'ask', action: 'copy' | 'open', panelColumn?: vscode.ViewColumn): Promise<ScriptOutcome> {
  const languages = scriptLanguages(target.fitted.result);
  let chosen: ScriptLanguage | undefined = language === 'ask' ? (languages.length === 1 ? languages[0] : undefined) : language;
  if (language === 'ask' && !chosen) {
    const pick = await vscode.window.showQuickPick(
      languages.map((l) => ({ label: `${LANGUAGE_NAMES[l]} script`, description: l === 'python' ? 'numpy and scikit-learn' : 'mclust', language: l })),
      { title: `Mixscope: open the fit of ${target.fileName} as a new file in…` },
    );
    if (!pick) return { outcome: 'cancelled', message: 'Nothing was opened.' };
    chosen = pick.language;
  }
  if (!chosen || !languages.includes(chosen)) {
    return { outcome: 'failed', message: `The ${target.fitted.result.model} fit of ${target.fileName} cannot be written as ${LANGUAGE_NAMES[chosen ?? 'r']}: ${languages.map((l) => LANGUAGE_NAMES[l]).join(' and ')} only.` };
  }
  let text: string;
  try {
    text = scriptFor(target, chosen);
  } catch (error) {
    return { outcome: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  const name = LANGUAGE_NAMES[chosen];
  if (action === 'copy') {
    await vscode.env.clipboard.writeText(text);
    return { outcome: 'copied', message: `Copied the ${name} script of this fit (${text.split('\n').length} lines): it prints the fit's log-likelihood as its last line.` };
  }
  // An untitled editor named after the data file (iris.mixscope-model.py), so Save offers that name next to it.
  const uri = untitledBeside(target.fileUri, exportFileName(target.fileName, 'model', chosen === 'python' ? 'py' : 'R'));
  const document = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(0, 0), text);
  if (!(await vscode.workspace.applyEdit(edit))) return { outcome: 'failed', message: `The ${name} script could not be put in a new editor.` };
  const typed = document.languageId === chosen ? document : await vscode.languages.setTextDocumentLanguage(document, chosen);
  const column = panelColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
  await vscode.window.showTextDocument(typed, { viewColumn: column, preview: false });
  return { outcome: 'opened', message: `Opened the ${name} script of this fit as ${path.posix.basename(uri.path)} (not saved yet).` };
}

/** An untitled document's URI beside the data file, with a free name (-2, -3… when one is already open). */
function untitledBeside(dataUri: vscode.Uri, name: string): vscode.Uri {
  const folder = dataUri.scheme === 'file' ? path.posix.dirname(dataUri.path) : '/';
  const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
  const dot = name.lastIndexOf('.');
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? name : `${name.slice(0, dot)}-${i}${name.slice(dot)}`;
    const uri = vscode.Uri.from({ scheme: 'untitled', path: path.posix.join(folder, candidate) });
    if (!open.has(uri.toString())) return uri;
  }
}
