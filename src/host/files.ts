// File-name rules of the extension host: which files are data files (from the format registry, as the `when`
// clauses in package.json), default names for exports next to the data file, and the "never write the input file" check.
// Pure: no `vscode` import (URIs are passed as their parts), so it runs under plain mocha.

import * as path from 'node:path';
import { dataFileExtensions, formatNamesFor, menuFileExtensions, menuFileNamePattern, namePatternGlobs } from '../engine/data/formatNames';

/** Files the data loaders read (a registered extension or name pattern, also inside `.gz`). */
export { isDataFileName } from '../engine/data/formatNames';

/** Extensions the loaders read and the file picker offers (lower case, without the dot), from the format registry. */
export const DATA_FILE_EXTENSIONS: readonly string[] = dataFileExtensions();
/** Extensions the context menus offer: not plain .json (package.json, tsconfig.json are in every workspace). */
const MENU_FILE_EXTENSIONS: readonly string[] = menuFileExtensions();

/** Names offered without an extension (MNIST's `train-images-idx3-ubyte`, optionally `.gz`), from the format registry. */
const MENU_FILE_NAME = menuFileNamePattern();

/** The menus' `when` clause (`dataFileWhenClause()` of the format registry) evaluated on a file name. */
export function matchesDataFileMenus(fileName: string): boolean {
  const ext = path.posix.extname(fileName).slice(1).toLowerCase();
  return MENU_FILE_EXTENSIONS.includes(ext) || MENU_FILE_NAME.test(fileName);
}

// A glob of the data files' names, from the format registry, for file watchers: every extension and name pattern.
export function dataFileGlob(): string {
  return `**/{${[...DATA_FILE_EXTENSIONS.map((e) => `*.${e}`), ...namePatternGlobs()].join(',')}}`;
}

export function isIdxImagesFileName(fileName: string): boolean {
  return formatNamesFor(fileName)?.id === 'idx';
}

/** Formats whose columns can be read from a prefix of the file (delimited text). */
export function isDelimitedTextFileName(fileName: string): boolean {
  return !/\.gz$/i.test(fileName) && formatNamesFor(fileName)?.id === 'delimited-text';
}

/**
 * The name of an export next to the data file: `faithful.csv` → `faithful.mixscope-scatter.png`,
 * `data.csv.gz` → `data.mixscope-model.json`, `train-images-idx3-ubyte` → `train-images-idx3-ubyte.mixscope.png`.
 */
export function exportFileName(dataFileName: string, what: string, extension: string): string {
  let stem = path.posix.basename(dataFileName.replace(/\\/g, '/'));
  if (/\.gz$/i.test(stem)) stem = stem.slice(0, -3);
  const ext = path.posix.extname(stem);
  if (ext && DATA_FILE_EXTENSIONS.includes(ext.slice(1).toLowerCase())) stem = stem.slice(0, -ext.length);
  if (stem === '' || stem.startsWith('.')) stem = `data${stem}`;
  return `${stem}.mixscope${what ? `-${what}` : ''}.${extension}`;
}

export interface UriParts {
  scheme: string;
  authority: string;
  path: string;
}

/**
 * Whether two URIs name the same file. Paths compare case-insensitively for `file:` URIs on case-insensitive
 * systems (Windows, macOS), so `Faithful.CSV` is recognised as the input file there.
 */
export function isSameFile(a: UriParts, b: UriParts, caseInsensitiveFileSystem: boolean): boolean {
  if (a.scheme !== b.scheme || a.authority.toLowerCase() !== b.authority.toLowerCase()) return false;
  const normalize = (p: string) => {
    const n = path.posix.normalize(p.replace(/\\/g, '/'));
    return n.length > 1 ? n.replace(/\/+$/, '') : n;
  };
  const pa = normalize(a.path);
  const pb = normalize(b.path);
  if (a.scheme === 'file' && caseInsensitiveFileSystem) return pa.toLowerCase() === pb.toLowerCase();
  return pa === pb;
}

/**
 * What is sent to the worker to list a file's columns before a run: for delimited text, the first `maxBytes` cut at
 * the last line end (the header and enough rows to type the columns); other formats whole when small enough;
 * undefined when the file is too large to inspect cheaply (the columns pick is then skipped).
 */
export function inspectionBytes(fileName: string, bytes: Uint8Array, maxBytes = 256 * 1024, maxWholeBytes = 64 * 1024 * 1024): Uint8Array | undefined {
  // Always a copy (Uint8Array.prototype.slice; Buffer#slice would share memory): the copy is transferred to the
  // worker, and the original is still needed for the fit.
  const copy = (start: number, end: number) => Uint8Array.prototype.slice.call(bytes, start, end);
  if (isDelimitedTextFileName(fileName)) {
    if (bytes.length <= maxBytes) return copy(0, bytes.length);
    let end = maxBytes;
    while (end > 0 && bytes[end - 1] !== 0x0a) end--;
    return copy(0, end > 0 ? end : maxBytes);
  }
  return bytes.length <= maxWholeBytes ? copy(0, bytes.length) : undefined;
}
