// Arrow IPC files and streams (.arrow) and Feather v2 (.feather, the same IPC file format), read by apache-arrow
// (the Apache Arrow project's own JavaScript library: pure JavaScript, no native build). Numbers, booleans and text
// columns go through the shared column rules; dates and times, nested (list, struct, map, union) and binary columns
// are left out by their type.

// The reader's own modules, not the package index: the index also brings the vector builders, which compile
// functions with `new Function` (never called when reading, but no bundle may contain it).
import { Type } from 'apache-arrow/enum';
import { tableFromIPC } from 'apache-arrow/ipc/serialization';
import type { DataType, Table } from 'apache-arrow';
import { checkIpc, IpcDamage } from './arrowCheck';
import './arrowCodecs';
import { dataError, plural } from './common';
import { looksLikeArrow } from './magic';
import type { ImageData, TableData } from './dataset';
import { loadCellTable, type CellColumn, type CellTableOptions } from './cellTable';

export const EXPECTED = 'Expected an Arrow IPC file or stream (Feather v2), as pyarrow.feather.write_feather(df, path) writes it (uncompressed, LZ4 or ZSTD).';

/** Why a column of this type can never be fitted; undefined when its values are read. */
export function unusableReason(type: DataType): string | undefined {
  switch (type.typeId) {
    case Type.Int:
    case Type.Float:
    case Type.Bool:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Null:
      return undefined;
    case Type.Dictionary:
      return unusableReason((type as DataType & { dictionary: DataType }).dictionary);
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Interval:
    case Type.Duration:
      return 'dates or times (not used in a fit)';
    case Type.Decimal:
      return 'decimal values (convert the column to float64)';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return 'binary values';
    default:
      return 'nested values (lists, structs, maps or unions)';
  }
}

export function loadArrow(fileName: string, bytes: Uint8Array, options: CellTableOptions): TableData | ImageData {
  if (bytes.length === 0) throw dataError(fileName, `the file is empty. ${EXPECTED}`);
  if (bytes.length >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === 'FEA1') {
    throw dataError(fileName, 'the file is Feather version 1, an older format: save it again as Feather v2 (pyarrow.feather.write_feather(df, path, version=2)).');
  }
  if (!looksLikeArrow(bytes)) throw dataError(fileName, `the file starts with neither "ARROW1" nor an Arrow stream message. ${EXPECTED}`);
  const table = decodeIpc(fileName, bytes, '');
  const rows = table.numRows;
  const columns: CellColumn[] = table.schema.fields.map((field, j) => {
    const unusable = unusableReason(field.type);
    if (unusable) return { name: field.name, cells: [], unusable };
    return { name: field.name, cells: columnCells(fileName, table, j, '') };
  });
  const notes = [`Arrow IPC: ${plural(rows, 'row')} in ${plural(table.batches.length, 'record batch', 'record batches')}`];
  return loadCellTable(fileName, { columns, rows, unit: 'row', notes }, options);
}

/** IPC bytes (a whole file or stream) as a table, after the structural check; `where` ("record batch 3 of 9: ") leads the messages. */
export function decodeIpc(fileName: string, bytes: Uint8Array, where: string): Table {
  try {
    checkIpc(bytes);
    return tableFromIPC(bytes);
  } catch (error) {
    if (error instanceof IpcDamage || error instanceof RangeError) {
      throw dataError(fileName, `${where}the Arrow data are damaged: ${error.message}. ${EXPECTED} Write the file again.`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    if (/codec not found/i.test(reason)) throw dataError(fileName, `${where}the Arrow data are compressed with a codec that is not read (LZ4 frame and ZSTD are): write it with compression="lz4", "zstd" or "uncompressed". ${EXPECTED}`);
    throw dataError(fileName, `${where}the Arrow data cannot be read: ${reason}. The file may be truncated: write it again. ${EXPECTED}`);
  }
}

/** Column j's cells: without nulls, a numeric column is one typed array; otherwise each cell (null where missing). */
export function columnCells(fileName: string, table: Table, j: number, where: string): ArrayLike<unknown> {
  const field = table.schema.fields[j];
  const vector = table.getChildAt(j)!;
  const plain = vector.nullCount === 0 && (field.type.typeId === Type.Int || field.type.typeId === Type.Float);
  try {
    return plain ? (vector.toArray() as ArrayLike<unknown>) : Array.from({ length: table.numRows }, (_, i) => vector.get(i));
  } catch (error) {
    throw dataError(fileName, `${where}column "${field.name}" cannot be read: ${error instanceof Error ? error.message : String(error)}. The file may be damaged: write it again.`);
  }
}
