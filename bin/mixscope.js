#!/usr/bin/env node
// Entry of `npx mixscope`: the bundled CLI (build it first with `npm run build`).
'use strict';
let cli;
try {
  cli = require('../dist/cli.js');
} catch (error) {
  process.stderr.write('mixscope: the CLI is not built yet; run `npm run build` first.\n');
  process.exit(1);
}
// main resolves to the exit code once the file is read (Parquet and Excel load asynchronously).
Promise.resolve(cli.main(process.argv.slice(2))).then((code) => {
  process.exitCode = code;
});
