// Reading a data file for a fit: through workspace.fs (remote and virtual workspaces work; the file is only read,
// never written), refused before a byte is read when it is over the memory budget, and every failure turned into
// one sentence naming the file. Also the IDX labels file beside an images file.

import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { companionLabelsFileName } from '../engine/data/formatNames';
import { siblingUri } from './exporting';
import { checkFileSize } from './validation';

/** A problem to tell the user as it is (no stack): missing file, too large, folder… */
export class UserFacingError extends Error {}

export interface ReadFile {
  bytes: Uint8Array;
  size: number;
}

/** The user-visible text of an engine or host error, always naming the file once. */
export function userMessage(fileName: string, message: string): string {
  return message.startsWith(`${fileName}:`) || message.startsWith(fileName + ' ') ? `Mixscope: ${message}` : `Mixscope: ${fileName}: ${message}`;
}

function describeFsError(fileName: string, error: unknown): string {
  if (error instanceof vscode.FileSystemError) {
    switch (error.code) {
      case 'FileNotFound':
      case 'EntryNotFound':
        return `${fileName} was not found (was it moved or deleted?).`;
      case 'NoPermissions':
        return `${fileName} cannot be read: permission denied.`;
      case 'FileIsADirectory':
      case 'EntryIsADirectory':
        return `${fileName} is a folder, not a data file.`;
      case 'Unavailable':
        return `${fileName} is unavailable right now (${error.message}).`;
    }
  }
  return `${fileName} could not be read: ${error instanceof Error ? error.message : String(error)}`;
}

/** stat + the memory-budget check, before a single byte is read. */
export async function statDataFile(uri: vscode.Uri, fileName: string, maxFileSizeMB: number): Promise<number> {
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch (error) {
    throw new UserFacingError(describeFsError(fileName, error));
  }
  if (stat.type & vscode.FileType.Directory) throw new UserFacingError(`${fileName} is a folder, not a data file.`);
  const refusal = checkFileSize(fileName, stat.size, maxFileSizeMB);
  if (refusal) throw new UserFacingError(refusal);
  return stat.size;
}

export async function readDataFile(uri: vscode.Uri, fileName: string, maxFileSizeMB: number): Promise<ReadFile> {
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (error) {
    throw new UserFacingError(describeFsError(fileName, error));
  }
  // The file may have grown between stat and read.
  const refusal = checkFileSize(fileName, bytes.length, maxFileSizeMB);
  if (refusal) throw new UserFacingError(refusal);
  return { bytes, size: bytes.length };
}

/** The first `maxBytes` of a file on this machine's disk (a file fitted out of core is never read whole here). */
export async function readFileHead(uri: vscode.Uri, fileName: string, maxBytes: number): Promise<Uint8Array> {
  try {
    const handle = await fs.open(uri.fsPath, 'r');
    try {
      const buffer = new Uint8Array(maxBytes);
      const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new UserFacingError(`${fileName} could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface CompanionLabels {
  uri: vscode.Uri;
  name: string;
  bytes: Uint8Array;
}

/**
 * The labels file beside an IDX images file, when there is one that can be read. The images can be clustered
 * without it, so every problem is only logged (`log`), never thrown.
 */
export async function readCompanionLabels(uri: vscode.Uri, fileName: string, maxFileSizeMB: number, log: vscode.LogOutputChannel): Promise<CompanionLabels | undefined> {
  const name = companionLabelsFileName(fileName);
  if (!name) return undefined;
  const labelsUri = siblingUri(uri, name);
  try {
    await statDataFile(labelsUri, name, maxFileSizeMB);
  } catch (error) {
    log.info(`${fileName}: no labels used (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
  try {
    const { bytes } = await readDataFile(labelsUri, name, maxFileSizeMB);
    log.info(`${fileName}: labels from ${name}`);
    return { uri: labelsUri, name, bytes };
  } catch (error) {
    log.warn(`${fileName}: labels not used: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
