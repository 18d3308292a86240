// The names of the data formats: which file names each format is offered for (extensions, name patterns), and
// everything derived from names alone — the menus' `when` clause, the file picker's filters, which names are data
// files. Dependency-free (no loader), so the extension host and the code lenses know the data files without bundling
// the readers; the format registry (formats.ts) adds each format's sniff, loader and inspection to its entry here.

import { baseName } from './common';

/** A file-name pattern for files without an extension, e.g. MNIST's `train-images-idx3-ubyte`. */
export interface NamePattern {
  /** As a user writes it, for messages and docs: `*-idx3-ubyte`. */
  glob: string;
  /** Regular-expression source matching the end of the file name (case-insensitive), without `$`. */
  source: string;
}

export interface FormatNames {
  id: string;
  /** As a user names it, e.g. in the file picker's filters. */
  name: string;
  /** Extensions offered in the menus and the file picker (lower case, without the dot). */
  extensions: readonly string[];
  /** Names without an extension that are offered too. */
  namePatterns: readonly NamePattern[];
  /**
   * Names this loader takes though they are not offered (an IDX labels file opened directly gets the IDX loader's
   * message that it holds labels, not images).
   */
  alsoLoadsName?: RegExp;
  /**
   * The extensions the Explorer and editor menus offer, when not all of `extensions` (the loader, the file picker,
   * the CLI and the code lenses take them all).
   */
  menuExtensions?: readonly string[];
  /** Tables with named columns: the labelColumn setting can name one (others take labels from a labels file). */
  namedColumns?: boolean;
}

/** gzip wraps any format: `faithful.csv.gz`, `train-images-idx3-ubyte.gz`. */
export const GZIP_EXTENSION = 'gz';

/** In the registry's order (formats.ts keeps it). */
export const FORMAT_NAMES = {
  'delimited-text': { id: 'delimited-text', namedColumns: true, name: 'Delimited text', extensions: ['csv', 'tsv', 'txt', 'dat', 'data'], namePatterns: [] },
  npy: { id: 'npy', name: 'NumPy array', extensions: ['npy'], namePatterns: [] },
  idx: { id: 'idx', name: 'IDX images (MNIST)', extensions: [], namePatterns: [{ glob: '*-idx3-ubyte', source: '[.-]idx3-ubyte' }], alsoLoadsName: /[-.]idx\d-ubyte$/i },
  // Plain .json is read but not offered in the menus: every package.json and tsconfig.json would be.
  json: { id: 'json', namedColumns: true, name: 'JSON', extensions: ['json'], menuExtensions: [], namePatterns: [] },
  'json-lines': { id: 'json-lines', namedColumns: true, name: 'JSON Lines', extensions: ['ndjson', 'jsonl'], namePatterns: [] },
  xlsx: { id: 'xlsx', namedColumns: true, name: 'Excel workbook', extensions: ['xlsx'], namePatterns: [] },
  arrow: { id: 'arrow', namedColumns: true, name: 'Arrow IPC / Feather', extensions: ['arrow', 'feather', 'arrows'], namePatterns: [] },
  parquet: { id: 'parquet', namedColumns: true, name: 'Parquet', extensions: ['parquet'], namePatterns: [] },
} as const satisfies Record<string, FormatNames>;

export type FormatId = keyof typeof FORMAT_NAMES;

const ALL_NAMES: readonly FormatNames[] = Object.values(FORMAT_NAMES);

/** The name without a trailing `.gz` (the wrapper), as the formats see it. */
export function innerName(fileName: string): string {
  return baseName(fileName).replace(/\.gz$/i, '');
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

function patternRegex(p: NamePattern): RegExp {
  return new RegExp(`${p.source}$`, 'i');
}

/** The format a file name offers it as (its extension or a name pattern); `.gz` is looked through. */
export function formatNamesFor(fileName: string): FormatNames | undefined {
  const name = innerName(fileName);
  const ext = extensionOf(name);
  return ALL_NAMES.find((f) => f.extensions.includes(ext) || f.namePatterns.some((p) => patternRegex(p).test(name)));
}

/** Files Mixscope can cluster: a registered extension or name pattern, also inside `.gz`. */
export function isDataFileName(fileName: string): boolean {
  return formatNamesFor(fileName) !== undefined;
}

/** Extensions the loaders read: every format's, and `.gz` (of any of them). */
export function dataFileExtensions(): string[] {
  return [...ALL_NAMES.flatMap((f) => f.extensions), GZIP_EXTENSION];
}

/** Extensions the menus offer: every format's but plain `.json`, and `.gz` (a menu sees only the last extension). */
export function menuFileExtensions(): string[] {
  return [...ALL_NAMES.flatMap((f) => f.menuExtensions ?? f.extensions), GZIP_EXTENSION];
}

/** The name patterns of the menus as one regular expression, optionally followed by `.gz`. */
export function menuFileNamePattern(): RegExp {
  return new RegExp(menuFileNameSource(), 'i');
}

/** The globs of the names without an extension (`*-idx3-ubyte`), each also with `.gz`. */
export function namePatternGlobs(): string[] {
  return ALL_NAMES.flatMap((f) => f.namePatterns.flatMap((p) => [p.glob, `${p.glob}.${GZIP_EXTENSION}`]));
}

function menuFileNameSource(): string {
  const sources = ALL_NAMES.flatMap((f) => f.namePatterns.map((p) => p.source));
  const alternatives = sources.length === 1 ? sources[0] : `(?:${sources.join('|')})`;
  return `${alternatives}(\\.${GZIP_EXTENSION})?$`;
}

/**
 * The VS Code `when` clause of the data-file menus, e.g.
 * `resourceExtname =~ /^\.(csv|…|gz)$/i || resourceFilename =~ /[.-]idx3-ubyte(\.gz)?$/i`.
 * Put it in parentheses when combining it with `&&`.
 */
export function dataFileWhenClause(): string {
  return `resourceExtname =~ /^\\.(${menuFileExtensions().join('|')})$/i || resourceFilename =~ /${menuFileNameSource()}/i`;
}

/** Filters for `showOpenDialog`: every data file first, then each format, then all files (names without extension). */
export function fileDialogFilters(): Record<string, string[]> {
  const filters: Record<string, string[]> = { 'Data files': dataFileExtensions() };
  for (const f of ALL_NAMES) if (f.extensions.length > 0) filters[f.name] = [...f.extensions, ...f.extensions.map((e) => `${e}.${GZIP_EXTENSION}`)];
  const unnamed = ALL_NAMES.filter((f) => f.namePatterns.length > 0).map((f) => f.namePatterns.map((p) => p.glob).join(', '));
  filters[unnamed.length > 0 ? `All files (${unnamed.join(', ')} have no extension)` : 'All files'] = ['*'];
  return filters;
}

const IDX_IMAGES_NAME = /^(.*?)images([-.])idx3([-.]ubyte(?:\.gz)?)$/i;

/** `train-images-idx3-ubyte[.gz]` → `train-labels-idx1-ubyte[.gz]` (same folder); undefined for other names. */
export function companionLabelsFileName(imagesFileName: string): string | undefined {
  const slash = Math.max(imagesFileName.lastIndexOf('/'), imagesFileName.lastIndexOf('\\'));
  const dir = imagesFileName.slice(0, slash + 1);
  const m = IDX_IMAGES_NAME.exec(imagesFileName.slice(slash + 1));
  if (!m) return undefined;
  return `${dir}${m[1]}labels${m[2]}idx1${m[3]}`;
}
