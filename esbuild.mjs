// One build script for every target (as in vscode-hexeditor): the extension host, the engine worker,
// the CLI (all Node, CommonJS) and the webview script (browser, IIFE).
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
};

// The Excel, Arrow and Parquet readers are a bundle of their own (dist/typedReaders.js) that the others require on
// first use: starting the CLI or the engine worker on a text file then compiles about half as much code.
const typedReadersApart = {
  name: 'typed-readers-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/typedReaders$/ }, (args) => (args.importer.endsWith('formats.ts') ? { path: './typedReaders.js', external: true } : undefined));
  },
};

const targets = [
  { ...common, entryPoints: { extension: 'src/host/extension.ts' }, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist', external: ['vscode'] },
  { ...common, entryPoints: { worker: 'src/engine/worker.ts', cli: 'src/cli/cli.ts', shard: 'src/engine/families/bernoulli/shard.ts', selectWorker: 'src/engine/select/worker.ts', typedReaders: 'src/engine/data/typedReaders.ts' }, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist', plugins: [typedReadersApart] },
  // Vega optionally requires node-canvas; the browser build never needs it.
  { ...common, entryPoints: { webview: 'webview/main.ts' }, platform: 'browser', format: 'iife', target: 'es2022', outdir: 'dist', external: ['canvas'] },
];

if (watch) {
  for (const t of targets) (await esbuild.context(t)).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
