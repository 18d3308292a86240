// The readers built on larger libraries (fflate for Excel's zip, apache-arrow, hyparquet): the format registry loads this
// module on the first workbook, Arrow or Parquet file, so reading a delimited text file (and starting the CLI or the
// engine worker for one) never compiles them. The bundles keep it a file of its own, dist/typedReaders.js (esbuild.mjs).

export { loadArrow } from './arrow';
export { inSheet, inspectSheets, loadExcel } from './excel';
export { openExcelGroups } from './excelStream';
export { loadParquet } from './parquet';
export { openParquetGroups } from './parquetStream';
export { openArrowGroups } from './arrowStream';
