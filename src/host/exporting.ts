// Writing exports: only where the user chose in a save dialog, never over the data file (or its labels file), and
// the file contents built from a validated result. The user's data file is only ever read.

import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isSameFile } from './files';

const caseInsensitiveFileSystem = process.platform === 'win32' || process.platform === 'darwin';

/** A file next to `uri` (works for every scheme, not only file:). */
export function siblingUri(uri: vscode.Uri, name: string): vscode.Uri {
  return uri.with({ path: path.posix.join(path.posix.dirname(uri.path), name) });
}

let bundledSamples: vscode.Uri | undefined;

/** The folder of the samples shipped inside the extension: an export of their fits is not offered there. */
export function setBundledSamplesFolder(folder: vscode.Uri): void {
  bundledSamples = folder;
}

/** Where the save dialog opens: next to the data file, or for a bundled sample in the workspace (else the home folder). */
function defaultSaveUri(dataUri: vscode.Uri, name: string): vscode.Uri {
  const inside = bundledSamples && dataUri.scheme === bundledSamples.scheme && dataUri.path.startsWith(`${bundledSamples.path}/`);
  if (!inside) return siblingUri(dataUri, name);
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir()), name);
}

export function sameFile(a: vscode.Uri, b: vscode.Uri): boolean {
  return isSameFile(a, b, caseInsensitiveFileSystem);
}

export interface SaveRequest {
  /** The data file: the dialog opens next to it, and it can never be the target. */
  dataUri: vscode.Uri;
  /** Other files that must not be overwritten (e.g. the labels file). */
  protectedUris?: vscode.Uri[];
  defaultName: string;
  filters: Record<string, string[]>;
  /** For messages: 'the scatter chart', 'the cluster assignments'. */
  what: string;
  bytes: Uint8Array;
  output: vscode.OutputChannel;
}

/** How a save ended, with one sentence for the user (shown in the panel that asked). */
export type SaveOutcome =
  | { outcome: 'written'; uri: vscode.Uri; message: string }
  | { outcome: 'refused' | 'failed' | 'cancelled'; message: string };

/** Asks where to save, refuses the data file, writes. Never throws: every ending is told to the user and returned. */
export async function saveWithDialog(request: SaveRequest): Promise<SaveOutcome> {
  const target = await vscode.window.showSaveDialog({
    defaultUri: defaultSaveUri(request.dataUri, request.defaultName),
    filters: request.filters,
    saveLabel: 'Export',
    title: `Mixscope: export ${request.what}`,
  });
  if (!target) return { outcome: 'cancelled', message: `Export of ${request.what} cancelled: nothing was written.` };
  const forbidden = [request.dataUri, ...(request.protectedUris ?? [])];
  const clash = forbidden.find((u) => sameFile(u, target));
  if (clash) {
    const name = path.posix.basename(clash.path);
    request.output.appendLine(`export refused: ${target.toString()} is the data file ${name}`);
    const message = `${name} is the data file and is never overwritten. Export ${request.what} under another name.`;
    void vscode.window.showErrorMessage(`Mixscope: ${message}`);
    return { outcome: 'refused', message };
  }
  const shown = path.posix.basename(target.path);
  try {
    await vscode.workspace.fs.writeFile(target, request.bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    request.output.appendLine(`export of ${request.what} to ${target.toString()} failed: ${reason}`);
    const message = `${request.what} could not be written to ${shown}: ${reason}. Choose another folder.`;
    void vscode.window.showErrorMessage(`Mixscope: ${message}`);
    return { outcome: 'failed', message };
  }
  request.output.appendLine(`exported ${request.what} to ${target.toString()} (${request.bytes.length} bytes)`);
  const message = `Saved ${request.what} to ${shown}.`;
  void vscode.window.showInformationMessage(`Mixscope: saved ${request.what} to ${shown}.`);
  return { outcome: 'written', uri: target, message };
}
