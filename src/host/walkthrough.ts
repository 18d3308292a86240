// The walkthrough's commands: fit a sample shipped inside the extension (it works with no folder open: the file is
// read through the extension's own URI, and never written), and open the sample script that shows the code lenses.

import * as vscode from 'vscode';
import { readSettings, reportSettingProblems } from './config';
import { setBundledSamplesFolder } from './exporting';
import type { FitRegistry } from './fits';
import { SAMPLE_SCRIPT, SAMPLES, SAMPLES_FOLDER, sampleById, type Sample } from './samples';
import type { FitResult } from '../shared/protocol';

export function sampleUri(extensionUri: vscode.Uri, file: string): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, ...SAMPLES_FOLDER.split('/'), file);
}

async function chooseSample(id: unknown): Promise<Sample | undefined> {
  const named = sampleById(id);
  if (named) return named;
  if (id !== undefined) {
    void vscode.window.showErrorMessage(`Mixscope: there is no sample "${String(id)}"; the samples are ${SAMPLES.map((s) => s.id).join(', ')}.`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    SAMPLES.map((s) => ({ label: s.label, description: s.file, detail: s.description, sample: s })),
    { title: 'Mixscope: cluster which sample?' },
  );
  return pick?.sample;
}

export function registerSampleCommands(context: vscode.ExtensionContext, fits: FitRegistry, output: vscode.LogOutputChannel): void {
  setBundledSamplesFolder(vscode.Uri.joinPath(context.extensionUri, ...SAMPLES_FOLDER.split('/')));
  const safely = (name: string, body: (arg?: unknown) => Promise<unknown>) => async (arg?: unknown) => {
    try {
      return await body(arg);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      output.error(`${name} failed: ${error instanceof Error ? (error.stack ?? text) : text}`);
      void vscode.window.showErrorMessage(`Mixscope: ${text}`);
      return undefined;
    }
  };

  context.subscriptions.push(
    // Returns the FitResult, as "Cluster this dataset" does (the integration tests use it).
    vscode.commands.registerCommand(
      'mixscope.openSample',
      safely('mixscope.openSample', async (id): Promise<FitResult | undefined> => {
        const sample = await chooseSample(id);
        if (!sample) return undefined;
        const uri = sampleUri(context.extensionUri, sample.file);
        const settings = readSettings(uri);
        reportSettingProblems(settings.problems, output);
        return fits.fit(uri, { ...settings.options, ...sample.options }, settings);
      }),
    ),
    vscode.commands.registerCommand(
      'mixscope.openSampleScript',
      safely('mixscope.openSampleScript', async () => {
        const document = await vscode.workspace.openTextDocument(sampleUri(context.extensionUri, SAMPLE_SCRIPT));
        await vscode.window.showTextDocument(document, { preview: true });
        // The script lives inside the extension: shown, not edited.
        await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
        return document.uri;
      }),
    ),
  );
}
