// Delimited text tables (.csv .tsv .txt .dat .data).
//
// papaparse tokenises every line that holds a quote (quoted fields, doubled quotes, delimiters inside quotes);
// lines without a quote take the plain split that papaparse's own fast mode uses. What no library does is written
// here: choosing the delimiter by how numeric the resulting columns are (comma, tab, semicolon, bar, runs of
// spaces, with decimal commas), finding the table after a free-text preamble, a header line (also one written as a
// `#` comment), comment lines, a trailing delimiter and a leading row-index column. Rows that cannot be used are
// skipped and reported with their line numbers.
//
// Two passes over the table's bytes (types, then values) keep memory at the size of the file and the result, never a
// string per line or per cell; only the lines that choose the layout are decoded. The steps, each in its own module
// under text/: cells (classifying cells, splitting lines), numbers (plain decimals from their bytes), lines and rows
// (the file's start as lines, the table's rows as bytes), layout (the delimiter), frame (preamble, header, trailing
// delimiter), columns (pass 1: types, names, index and label columns), values (pass 2: the numbers, skipped rows).

import type { DatasetSummary } from '../../shared/protocol';
import { baseName, clip, dataError, emptySummary, listSome } from './common';
import type { ImageData, TableData } from './dataset';
import { decodeTextBytes } from './decode';
import { imageShape, MIN_IMAGE_PIXELS, pixelScale } from './images';
import { DELIMITER_NAMES, RowScanner } from './text/cells';
import { nameColumns, scanColumns, selectColumns, type ColumnScan, type ColumnSelection } from './text/columns';
import { locateTable, locateTextTable, preambleNote } from './text/frame';
import { chooseLayout, sampleContentLines } from './text/layout';
import { TextLines } from './text/lines';
import { countLines, RowCache } from './text/rowCache';
import { readValues } from './text/values';

export interface TextOptions {
  columns?: string[];
  imageWidth?: number;
  /** The file is itself a labels file: its column named "label" is the data, never set apart as labels. */
  labelsFile?: boolean;
  /** A column of case weights (by name or 1-based number), kept apart from the features. */
  weightsColumn?: string;
  /** 'marginalize': rows with missing cells are kept (NaN, marked); otherwise (default) they are skipped. */
  missing?: 'marginalize' | 'skip';
  /** The labelColumn setting: "auto", "none", or a column's name or 1-based number. */
  labelColumn?: string;
  /** The categorical setting: columns read as categories even when they hold numbers. */
  categorical?: string[];
  /** The categoryLimit setting: most distinct values of a text column read as categories. */
  categoryLimit?: number;
  /** A saved model's categorical columns: each is kept whatever its number of values (one, or above categoryLimit). */
  keepCategories?: boolean;
}

export function loadDelimitedText(fileName: string, bytes: Uint8Array, options: TextOptions): TableData | ImageData {
  const { bytes: utf8, encodingNote } = decodeTextBytes(fileName, bytes);
  const head = new TextLines(utf8);
  const sample = sampleContentLines(fileName, head);
  const lines = head.lines;
  const layout = chooseLayout(lines, sample);
  // Without a column of numbers the table can still hold categories (a survey's answers).
  const frame = layout.numericColumn.some(Boolean) ? locateTable(fileName, lines, layout) : locateTextTable(fileName, layout);
  const { c } = frame;

  const notes: string[] = [c === 1 ? 'one column per line (no delimiter)' : `delimiter: ${DELIMITER_NAMES[layout.delimiter]}`];
  if (encodingNote) notes.push(encodingNote);
  if (frame.trailingDelimiter) notes.push('a delimiter ends every line: the empty last field is ignored');
  if (layout.decimalComma) notes.push('decimal commas (3,6 is read as 3.6)');
  const preamble = preambleNote(lines, frame);
  if (preamble) notes.push(preamble);

  const row = new RowScanner(layout.delimiter, layout.decimalComma);
  const table = { bytes: utf8, start: head.start(frame.tableStart) };
  // Pass 1 keeps every row's numbers for pass 2 when that costs about the text's own size (not for wide pixel rows).
  const lineCount = countLines(utf8, table.start);
  const cache = lineCount * c * 9 <= 2 * (utf8.length - table.start) ? new RowCache(fileName, c, lineCount) : undefined;
  const scan = scanColumns(table, frame, row, options.labelsFile ? 'auto' : options.labelColumn, { columns: options.categorical, limit: options.categoryLimit }, cache);
  if (scan.note) notes.push(scan.note);
  if (scan.rowsOfWidth === 0) {
    throw dataError(fileName, `no row has the table's ${c} fields: the rows are ragged. Check the delimiter (${DELIMITER_NAMES[layout.delimiter]}).`);
  }
  const naming = nameColumns(frame, scan);
  notes.push(...naming.notes);
  const selection = selectColumns(fileName, scan, naming, options);

  const shape = pixelShape(scan, selection, options.imageWidth);
  const read = readValues(fileName, table, frame, row, scan.rowsOfWidth, naming.names, selection, shape !== undefined, options.missing === 'marginalize', cache);
  const { n, values, capacity, labels } = read;
  const d = selection.selected.length;
  notes.push(...read.skipped.notes());
  const labelColumn = labels ? naming.names[selection.labelColumn] : undefined;
  const weightsColumn = selection.weightsColumn >= 0 ? naming.names[selection.weightsColumn] : undefined;
  if (weightsColumn !== undefined) {
    if (shape) throw dataError(fileName, `case weights (column "${weightsColumn}") apply to tables of numbers, not to pixel rows. Set weightsColumn to "".`);
    notes.push(`case weights: column "${weightsColumn}" (not a feature)`);
  }
  if (read.missingPerColumn) {
    const per = selection.selected.map((j, k) => ({ name: naming.names[j], count: read.missingPerColumn![k] })).filter((x) => x.count > 0);
    notes.push(`missing cells: ${per.map((x) => `${x.count} in ${x.name}`).join(', ')}`);
  }
  const { labelNames } = selection;
  if (labelColumn !== undefined && labelNames) {
    notes.push(`labels: text column "${labelColumn}", ${labelNames.length} values (${listSome(labelNames.map((v) => clip(v)), 10)}), not used in the fit`);
  } else if (labelColumn !== undefined) notes.push(`labels: column "${labelColumn}" (not used in the fit)`);
  if (selection.labelNote) notes.push(selection.labelNote);
  const categorical = categoricalFeatures(naming.names, selection, read.codes, read.missingCategories);
  if (categorical) notes.push(categoricalNote(categorical, read.missingCategories!));

  const columns = selection.selected.map((j) => naming.names[j]);
  const summary: DatasetSummary = {
    ...emptySummary(baseName(fileName)),
    n,
    d,
    columns,
    droppedColumns: selection.dropped,
    skippedRows: read.skipped.count,
    skippedLines: read.skipped.lines,
    notes,
    hasLabels: labels !== undefined,
    source: {
      format: 'delimited-text',
      text: {
        delimiter: layout.delimiter,
        decimalComma: layout.decimalComma,
        tableStart: frame.tableStart,
        fields: c,
        trailingDelimiter: frame.trailingDelimiter,
        columnFields: selection.selected.slice(),
        ...(categorical ? { categoricalFields: selection.categorical.slice() } : {}),
        ...(labelColumn !== undefined ? { labelField: selection.labelColumn, labelColumn, ...(labelNames ? { labelText: true } : {}) } : {}),
        ...(weightsColumn !== undefined ? { weightsField: selection.weightsColumn } : {}),
        ...(shape ? { pixelRows: true } : {}),
      },
    },
  };
  if (shape) {
    const pixels = n * d === capacity ? (values as Uint8Array) : (values as Uint8Array).slice(0, n * d);
    summary.imageShape = shape;
    const scale = pixelScale(read.maxValue);
    notes.push(`read as ${n} images of ${shape[0]}×${shape[1]} pixels (values 0..${read.maxValue}${scale > 1 ? `, ${scale} = fully on` : ''})`);
    summary.source!.pixelScale = scale;
    return { kind: 'images', n, d, height: shape[0], width: shape[1], pixels, scale, labels: labels?.slice(0, n), labelNames, summary };
  }
  return {
    kind: 'table',
    n,
    d,
    values: n * d === capacity ? (values as Float64Array) : (values as Float64Array).slice(0, n * d),
    columns,
    sourceLines: read.sourceLines.slice(0, n),
    labels: labels?.slice(0, n),
    labelColumn,
    weights: read.weights,
    weightsColumn,
    missing: read.missing,
    missingPerColumn: read.missingPerColumn,
    labelNames: labels ? labelNames : undefined,
    ...(categorical ? { categorical } : {}),
    summary,
  };
}

/** The categorical features as the engine takes them (TableData.categorical), or undefined without any. */
function categoricalFeatures(names: string[], selection: ColumnSelection, codes: Int32Array | undefined, missing: number[] | undefined): TableData['categorical'] {
  if (!codes || !missing || selection.categorical.length === 0) return undefined;
  return { columns: selection.categorical.map((j) => names[j]), categories: selection.categories, codes };
}

/** "categorical: smoker (2 categories: no, yes), exercise (4 categories: …, 12 missing)". */
export function categoricalNote(categorical: NonNullable<TableData['categorical']>, missing: number[]): string {
  const parts = categorical.columns.map((name, k) => {
    const levels = categorical.categories[k];
    return `${name} (${levels.length} categories: ${listSome(levels.map((v) => clip(v)), 6)}${missing[k] > 0 ? `; ${missing[k]} missing` : ''})`;
  });
  return `categorical: ${listSome(parts, 20)}`;
}

/** Pixel rows (all selected columns integers in 0..255, a known image shape) are read as images, straight to bytes. */
export function pixelShape(scan: ColumnScan, selection: ColumnSelection, imageWidth: number | undefined): [number, number] | undefined {
  const { stats } = scan;
  const { selected } = selection;
  const d = selected.length;
  const pixelLike = selection.categorical.length === 0 && selected.every((j) => stats[j].integral && stats[j].nonFinite === 0 && (stats[j].numeric === 0 || (stats[j].min >= 0 && stats[j].max <= 255)));
  const widthGiven = imageWidth !== undefined && imageWidth > 0 && d % imageWidth === 0;
  return pixelLike && (d >= 64 || (widthGiven && d >= MIN_IMAGE_PIXELS)) ? imageShape(d, imageWidth) : undefined;
}
