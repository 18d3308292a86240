// The readers built on larger libraries (read-excel-file, apache-arrow, hyparquet): the format registry loads this
// module on the first workbook, Arrow or Parquet file, so reading a delimited text file (and starting the CLI or the
// engine worker for one) never compiles them. The bundles keep it a file of its own, dist/typedReaders.js (esbuild.mjs).

export { loadArrow } from './arrow';
export { inspectSheets, loadExcel } from './excel';
export { loadParquet } from './parquet';
export { openParquetGroups } from './parquetStream';
export { openArrowGroups } from './arrowStream';
