// The extension host knows which files are data files from the formats' names alone (formatNames.ts): it activates
// on any Python or R file (code lenses), so it must never bundle the readers (Parquet, Arrow, Excel, text…).

import * as assert from 'node:assert/strict';
import * as esbuild from 'esbuild';

describe('extension host bundle', function () {
  this.timeout(60_000);
  it('holds no data reader and no library of one', async () => {
    const built = await esbuild.build({ entryPoints: ['src/host/extension.ts'], bundle: true, platform: 'node', external: ['vscode'], write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(built.metafile.inputs);
    assert.ok(inputs.some((f) => f.endsWith('src/engine/data/formatNames.ts')), 'the names are in');
    const readers = inputs.filter((f) => /node_modules\/(hyparquet|apache-arrow|fflate)|src\/engine\/data\/(formats|load|text|json|excel\w*|arrow|parquet|npy|idx|cellTable)\.ts$/.test(f));
    assert.deepEqual(readers, []);
  });
});
