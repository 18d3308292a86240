// hyparquet publishes its modules under `hyparquet/src/*.js` (package.json "exports"); this project's TypeScript
// resolution does not read "exports", so the one function used from them is declared here.
declare module 'hyparquet/src/column.js' {
  /** Reads one page header (compact thrift) at reader.offset and advances past it. */
  export function parquetHeader(reader: { view: DataView; offset: number }): {
    type: string;
    uncompressed_page_size: number;
    compressed_page_size: number;
    data_page_header?: { num_values: number; encoding: string };
    data_page_header_v2?: {
      num_values: number;
      num_rows: number;
      num_nulls: number;
      encoding: string;
      definition_levels_byte_length: number;
      repetition_levels_byte_length: number;
      is_compressed?: boolean;
    };
    dictionary_page_header?: { num_values: number };
  };
}
