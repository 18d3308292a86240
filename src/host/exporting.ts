// Writing exports: only where the user chose in a save dialog, never over the data file (or its labels file), and
// the file contents built from a validated result. The user's data file is only ever read.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { isSameFile } from './files';

const caseInsensitiveFileSystem = process.platform === 'win32' || process.platform === 'darwin';

/** A file next to `uri` (works for every scheme, not only file:). */
export function siblingUri(uri: vscode.Uri, name: string): vscode.Uri {
  return uri.with({ path: path.posix.join(path.posix.dirname(uri.path), name) });
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

/** Asks where to save, refuses the data file, writes. Returns the written URI, or undefined if nothing was written. */
export async function saveWithDialog(request: SaveRequest): Promise<vscode.Uri | undefined> {
  const target = await vscode.window.showSaveDialog({
    defaultUri: siblingUri(request.dataUri, request.defaultName),
    filters: request.filters,
    saveLabel: 'Export',
    title: `Mixscope: export ${request.what}`,
  });
  if (!target) return undefined;
  const forbidden = [request.dataUri, ...(request.protectedUris ?? [])];
  const clash = forbidden.find((u) => sameFile(u, target));
  if (clash) {
    const name = path.posix.basename(clash.path);
    request.output.appendLine(`export refused: ${target.toString()} is the data file ${name}`);
    void vscode.window.showErrorMessage(`Mixscope: ${name} is the data file and is never overwritten. Export ${request.what} under another name.`);
    return undefined;
  }
  await vscode.workspace.fs.writeFile(target, request.bytes);
  const shown = path.posix.basename(target.path);
  request.output.appendLine(`exported ${request.what} to ${target.toString()} (${request.bytes.length} bytes)`);
  void vscode.window.showInformationMessage(`Mixscope: saved ${request.what} to ${shown}.`);
  return target;
}
