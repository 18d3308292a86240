// File-name rules of the extension host: which files are data files (the same rule as the `when` clauses in
// package.json), default names for exports next to the data file, and the "never write the input file" check.
// Pure: no `vscode` import (URIs are passed as their parts), so it runs under plain mocha.

import * as path from 'node:path';

/** Extensions offered in the context menus and the file picker (lower case, without the dot). */
export const DATA_FILE_EXTENSIONS = ['csv', 'tsv', 'txt', 'dat', 'data', 'npy', 'gz'] as const;

/**
 * MNIST's IDX image files have no real extension: `train-images-idx3-ubyte`, `t10k-images.idx3-ubyte`, optionally
 * `.gz`. Labels files (idx1) are not offered: they are read beside their images. */
const IDX_IMAGES_NAME = /[.-]idx3-ubyte(\.gz)?$/i;

/** Mirrors the menus' `when` clause: resourceExtname =~ /^\.(csv|…|gz)$/i || resourceFilename =~ /[.-]idx3-ubyte(\.gz)?$/i. */
export function matchesDataFileMenus(fileName: string): boolean {
  const ext = path.posix.extname(fileName).slice(1).toLowerCase();
  return (DATA_FILE_EXTENSIONS as readonly string[]).includes(ext) || IDX_IMAGES_NAME.test(fileName);
}

export function isIdxImagesFileName(fileName: string): boolean {
  return IDX_IMAGES_NAME.test(fileName);
}

/** Formats whose columns can be read from a prefix of the file (delimited text). */
export function isDelimitedTextFileName(fileName: string): boolean {
  return /\.(csv|tsv|txt|dat|data)$/i.test(fileName);
}

/**
 * The name of an export next to the data file: `faithful.csv` → `faithful.mixscope-scatter.png`,
 * `data.csv.gz` → `data.mixscope-model.json`, `train-images-idx3-ubyte` → `train-images-idx3-ubyte.mixscope.png`.
 */
export function exportFileName(dataFileName: string, what: string, extension: string): string {
  let stem = path.posix.basename(dataFileName.replace(/\\/g, '/'));
  if (/\.gz$/i.test(stem)) stem = stem.slice(0, -3);
  const ext = path.posix.extname(stem);
  if (ext && (DATA_FILE_EXTENSIONS as readonly string[]).includes(ext.slice(1).toLowerCase())) stem = stem.slice(0, -ext.length);
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
