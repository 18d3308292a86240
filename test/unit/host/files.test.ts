// File-name rules of the host (data files, export names, "never the input file"), the export contents, and the
// agreement of package.json's contributions (menus' `when` clauses, settings' defaults and ranges) with the code.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findDataLiterals, LANGUAGE_SYNTAX } from '../../../src/host/dataLiterals';
import { assignmentsCsv, modelJson, modelScript } from '../../../src/host/exportFormats';
import { parseSavedModel } from '../../../src/engine/model/schema';
import { dataFileWhenClause, fileDialogFilters } from '../../../src/engine/data/formats';
import { DATA_FILE_EXTENSIONS, exportFileName, inspectionBytes, isDataFileName, isDelimitedTextFileName, isIdxImagesFileName, matchesDataFileMenus, isSameFile } from '../../../src/host/files';
import { DEFAULT_FIT_OPTIONS, type FitResult } from '../../../src/shared/protocol';
import { DEFAULT_MAX_FILE_SIZE_MB, MAX_FILE_SIZE_MB_RULE, NUMERIC_SETTINGS, resolveFitOptions } from '../../../src/host/validation';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8'));

const DATA_NAMES = ['faithful.csv', 'FAITHFUL.CSV', 'x.tsv', 'notes.txt', 'a.dat', 'iris.data', 'm.npy', 'faithful.csv.gz', 'train-images-idx3-ubyte', 't10k-images.idx3-ubyte', 'train-images-idx3-ubyte.gz', 'b.ndjson', 'c.jsonl', 'd.xlsx', 'e.arrow', 'f.feather', 'g.parquet'];
const OTHER_NAMES = ['train-labels-idx1-ubyte', 'a.yaml', 'a.csvx', 'README.md', 'csv', 'idx3-ubyte-notes.md'];
/** Read by the loaders, the file picker, the CLI and the code lenses, but not offered in the Explorer and editor menus. */
const READ_NOT_IN_MENUS = ['package.json', 'tsconfig.json', 'a.json', 'records.JSON'];

describe('host files: data file names', () => {
  it('recognises the data files offered in the menus', () => {
    for (const name of DATA_NAMES) assert.equal(matchesDataFileMenus(name), true, name);
    for (const name of OTHER_NAMES) assert.equal(matchesDataFileMenus(name), false, name);
  });

  it('plain .json is read but not offered in the menus (package.json and tsconfig.json are in every workspace)', () => {
    const whens: string[] = pkg.contributes.menus['explorer/context'].map((m: { when: string }) => m.when);
    for (const name of READ_NOT_IN_MENUS) {
      assert.equal(matchesDataFileMenus(name), false, name);
      assert.equal(isDataFileName(name), true, name);
      for (const when of [...whens, dataFileWhenClause()]) {
        const ext = /resourceExtname =~ \/(.+?)\/(\w*)/.exec(when)!;
        assert.equal(new RegExp(ext[1], ext[2]).test(path.posix.extname(name)), false, `${name} in ${when}`);
      }
    }
    assert.ok(DATA_FILE_EXTENSIONS.includes('json'), 'the file picker and exports still know .json');
    assert.ok(fileDialogFilters()['Data files'].includes('json'));
    assert.deepEqual(findDataLiterals('df = pd.read_json("records.json")', 'python').map((l) => l.path), ['records.json']);
    assert.equal(exportFileName('records.json', 'scatter', 'png'), 'records.mixscope-scatter.png');
  });

  it('package.json menus use the same rule (the regexes of the when clauses)', () => {
    const whens: string[] = pkg.contributes.menus['explorer/context'].map((m: { when: string }) => m.when);
    for (const when of whens) {
      const ext = /resourceExtname =~ \/(.+?)\/(\w*)/.exec(when);
      const file = /resourceFilename =~ \/(.+?)\/(\w*)\)/.exec(when);
      assert.ok(ext && file, when);
      const extRe = new RegExp(ext[1], ext[2]);
      const fileRe = new RegExp(file[1], file[2]);
      const matches = (name: string) => extRe.test(path.posix.extname(name)) || fileRe.test(name);
      for (const name of DATA_NAMES) assert.equal(matches(name), true, `${name} in ${when}`);
      for (const name of OTHER_NAMES) assert.equal(matches(name), false, `${name} in ${when}`);
      assert.match(when, /^!explorerResourceIsFolder && /);
    }
    for (const menu of ['editor/context', 'editor/title/context', 'explorer/context']) {
      for (const m of pkg.contributes.menus[menu] as { when: string }[]) assert.ok(m.when.includes(`(${dataFileWhenClause()})`), `${menu}: ${m.when}`);
      const commands = pkg.contributes.menus[menu].map((m: { command: string }) => m.command);
      assert.deepEqual(commands, ['mixscope.clusterDataset', 'mixscope.clusterDatasetWithOptions', 'mixscope.applySavedModel'], menu);
    }
  });
});

describe('host files: names from the format registry', () => {
  it('the loaders read every name the menus offer, except a bare .gz (a menu sees only the last extension)', () => {
    for (const name of DATA_NAMES) assert.equal(isDataFileName(name), true, name);
    for (const name of [...OTHER_NAMES, 'x.gz']) assert.equal(isDataFileName(name), false, name);
    assert.equal(matchesDataFileMenus('x.gz'), true);
  });
  it('IDX images and delimited text are told by name', () => {
    for (const name of ['train-images-idx3-ubyte', 't10k-images.idx3-ubyte', 'train-images-idx3-ubyte.gz']) assert.equal(isIdxImagesFileName(name), true, name);
    for (const name of ['train-labels-idx1-ubyte', 'faithful.csv', 'm.npy']) assert.equal(isIdxImagesFileName(name), false, name);
    for (const name of ['faithful.csv', 'X.TSV', 'a.txt', 'a.dat', 'iris.data']) assert.equal(isDelimitedTextFileName(name), true, name);
    // A .gz prefix cannot be cut at a line end: it is not sent as text.
    for (const name of ['faithful.csv.gz', 'm.npy', 'train-images-idx3-ubyte']) assert.equal(isDelimitedTextFileName(name), false, name);
  });
});

describe('host files: export names and the input file', () => {
  it('names an export after the data file, next to it', () => {
    assert.equal(exportFileName('faithful.csv', '', 'png'), 'faithful.mixscope.png');
    assert.equal(exportFileName('faithful.csv', 'scatter', 'svg'), 'faithful.mixscope-scatter.svg');
    assert.equal(exportFileName('data.csv.gz', 'model', 'json'), 'data.mixscope-model.json');
    assert.equal(exportFileName('train-images-idx3-ubyte', 'images', 'png'), 'train-images-idx3-ubyte.mixscope-images.png');
    assert.equal(exportFileName('/some/dir/iris.data', 'assignments', 'csv'), 'iris.mixscope-assignments.csv');
    assert.equal(exportFileName('.csv', '', 'png'), 'data.csv.mixscope.png');
    assert.equal(exportFileName('report.v2.txt', '', 'png'), 'report.v2.mixscope.png');
  });

  it('an export name is never the data file itself', () => {
    for (const name of DATA_NAMES) {
      for (const ext of ['png', 'svg', 'csv', 'json']) assert.notEqual(exportFileName(name, '', ext), name);
    }
  });

  it('recognises the input file, case-insensitively only where the file system is', () => {
    const a = { scheme: 'file', authority: '', path: '/data/faithful.csv' };
    assert.equal(isSameFile(a, { ...a }, false), true);
    assert.equal(isSameFile(a, { ...a, path: '/data/./sub/../faithful.csv' }, false), true);
    assert.equal(isSameFile(a, { ...a, path: '/data/Faithful.CSV' }, false), false);
    assert.equal(isSameFile(a, { ...a, path: '/data/Faithful.CSV' }, true), true);
    assert.equal(isSameFile(a, { ...a, path: '/data/faithful.mixscope.png' }, true), false);
    assert.equal(isSameFile(a, { ...a, scheme: 'vscode-remote' }, true), false);
    assert.equal(isSameFile({ scheme: 'vscode-vfs', authority: 'github', path: '/r/F.csv' }, { scheme: 'vscode-vfs', authority: 'GitHub', path: '/r/f.csv' }, true), false);
  });
});

describe('host files: what is sent to list the columns', () => {
  it('cuts delimited text at the last line end before the limit', () => {
    const text = Buffer.from('a,b\n1,2\n3,4\n5,6\n');
    assert.equal(Buffer.from(inspectionBytes('x.csv', text, 10)!).toString(), 'a,b\n1,2\n');
    assert.equal(Buffer.from(inspectionBytes('x.csv', text, 1000)!).toString(), text.toString());
  });
  it('sends other formats whole when small, nothing when large', () => {
    const bytes = new Uint8Array(100);
    assert.equal(inspectionBytes('m.npy', bytes, 10, 1000)!.length, 100);
    assert.equal(inspectionBytes('m.npy', bytes, 10, 50), undefined);
    assert.equal(inspectionBytes('x.csv.gz', bytes, 10, 50), undefined);
  });
  it('returns a copy, also of a Node Buffer (whose slice() shares memory): the original survives the transfer', () => {
    for (const bytes of [new Uint8Array([0x61, 0x0a]), Buffer.from('a,b\n1,2\n'), Buffer.alloc(300000, 0x0a)]) {
      for (const name of ['x.csv', 'x.npy']) {
        const copy = inspectionBytes(name, bytes)!;
        assert.notEqual(copy.buffer, bytes.buffer, `${name} ${bytes.constructor.name}`);
        structuredClone(copy.buffer, { transfer: [copy.buffer as ArrayBuffer] });
        assert.ok(bytes.length > 0 && bytes[bytes.length - 1] === 0x0a, 'the original is intact');
      }
    }
  });
});

describe('host files: export contents', () => {
  const result: FitResult = {
    model: 'gaussian', modelReason: 'chosen by the user', k: 2, n: 3, d: 1, columns: ['x'], converged: true, iterations: 4,
    logLikelihood: -10, trace: [-12, -10], weights: [0.25, 0.75], means: [[0], [1]], covariances: [[[1]], [[2]]], covarianceType: 'full',
    assignments: [1, 0, 1], bic: 30, aic: 28, snapshots: [{ model: 'gaussian', iteration: 0, weights: [], means: [], covariances: [] }],
    restartObjectives: [-10], elapsedMs: 1,
  };
  it('assignments CSV: one line per fitted row', () => {
    assert.equal(assignmentsCsv(result), 'row,cluster\n1,1\n2,0\n3,1\n');
  });
  it('model JSON: the saved-model schema (as mixscope fit --save-model), without snapshots or assignments', () => {
    const model = JSON.parse(modelJson('faithful.csv', DEFAULT_FIT_OPTIONS, result));
    assert.equal(model.format, 'mixscope-model');
    assert.equal(model.version, 1);
    assert.equal(model.source.fileName, 'faithful.csv');
    assert.deepEqual(model.parameters.weights, [0.25, 0.75]);
    assert.deepEqual(model.parameters.covariances, [[[1]], [[2]]]);
    assert.equal(model.covarianceModel, 'full');
    assert.equal(model.fit.bic, 30);
    assert.deepEqual(model.settings, DEFAULT_FIT_OPTIONS);
    assert.equal('snapshots' in model, false);
    assert.equal('assignments' in model, false);
    // mixscope predict reads it.
    assert.equal(parseSavedModel(JSON.stringify(model), 'm.json').k, 2);
  });
  it('model scripts: Python and R from the same saved model, reading the data file where it is', () => {
    const summary = { fileName: 'x.csv', n: 3, d: 1, columns: ['x'], droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [], source: { format: 'delimited-text', text: { delimiter: ',', decimalComma: false, tableStart: 1, fields: 1, trailingDelimiter: false, columnFields: [0] } } };
    const python = modelScript('python', 'data/x.csv', DEFAULT_FIT_OPTIONS, result, summary);
    assert.match(python, /^DATA_FILE = sys\.argv\[1\] if len\(sys\.argv\) > 1 else "data\/x\.csv"$/m);
    assert.match(python, /^WEIGHTS = np\.array\(\[0\.25,0\.75\]\)$/m);
    const r = modelScript('r', 'data/x.csv', DEFAULT_FIT_OPTIONS, result, summary);
    assert.match(r, /^data_file <- if \(length\(args\) > 0\) args\[1\] else "data\/x\.csv"$/m);
    assert.match(r, /modelName = "V", d = 1, G = 2, sigmasq = c\(1, 2\)/);
    const bernoulli: FitResult = { ...result, model: 'bernoulli', covariances: undefined, covarianceType: undefined, means: [[0.2], [0.9]] };
    assert.throws(() => modelScript('r', 'data/x.csv', DEFAULT_FIT_OPTIONS, bernoulli, summary), /cannot write R code for a Bernoulli mixture; it can for Gaussian mixtures, as mclust; use --emit-python/);
  });
});

describe('host package.json contributions', () => {
  const props: Record<string, Record<string, unknown>> = pkg.contributes.configuration.properties;

  it('every FitOptions setting exists with the default of DEFAULT_FIT_OPTIONS and a description', () => {
    for (const [key, value] of Object.entries(DEFAULT_FIT_OPTIONS)) {
      if (key === 'initParams') continue;
      const p = props[`mixscope.${key}`];
      assert.ok(p, `mixscope.${key} is missing`);
      assert.deepEqual(p.default, value, key);
      assert.ok(typeof p.description === 'string' && p.description.length > 10, key);
    }
    assert.equal(props['mixscope.maxFileSizeMB'].default, DEFAULT_MAX_FILE_SIZE_MB);
  });

  it('declared ranges are the ones the host enforces', () => {
    for (const [key, rule] of Object.entries(NUMERIC_SETTINGS)) {
      const p = props[`mixscope.${key}`];
      // K also takes the string "auto": its type is ['integer', 'string'].
      assert.equal(Array.isArray(p.type) ? p.type[0] : p.type, rule.integer ? 'integer' : 'number', key);
      if (rule.exclusiveMin) assert.equal(p.exclusiveMinimum, rule.min, key);
      else assert.equal(p.minimum, rule.min, key);
      if (rule.exclusiveMax) assert.equal(p.exclusiveMaximum, rule.max, key);
      else if (p.maximum !== undefined) assert.equal(p.maximum, rule.max, key);
    }
    assert.equal(props['mixscope.maxFileSizeMB'].minimum, MAX_FILE_SIZE_MB_RULE.min);
    assert.equal(props['mixscope.maxFileSizeMB'].maximum, MAX_FILE_SIZE_MB_RULE.max);
  });

  it('every enum choice of the settings is accepted by the host', () => {
    for (const key of ['model', 'init', 'covarianceType', 'emVariant']) {
      for (const choice of props[`mixscope.${key}`].enum as string[]) {
        assert.deepEqual(resolveFitOptions({ [key]: choice }).problems, [], `${key}=${choice}`);
      }
    }
  });

  it('commands, activation and capabilities', () => {
    const commands = pkg.contributes.commands.map((c: { command: string }) => c.command);
    assert.deepEqual(commands, ['mixscope.clusterDataset', 'mixscope.clusterDatasetWithOptions', 'mixscope.applySavedModel', 'mixscope.cancelFit', 'mixscope.exportResult', 'mixscope.openSample', 'mixscope.openSampleScript']);
    assert.equal(pkg.contributes.commands[0].title, 'Cluster this dataset');
    assert.ok(pkg.contributes.commands.every((c: { category: string }) => c.category === 'Mixscope'));
    // The code lenses' languages (notebook cells included: a cell's document has its language).
    assert.deepEqual(pkg.activationEvents, ['onWebviewPanel:mixscope.panel', ...Object.keys(LANGUAGE_SYNTAX).map((l) => `onLanguage:${l}`)]);
    // "limited", not true: VS Code applies restrictedConfigurations (workspace values ignored in Restricted Mode) only then.
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ['mixscope.maxFileSizeMB', 'mixscope.memoryBudgetMB']);
    assert.equal(pkg.capabilities.virtualWorkspaces, true);
    assert.ok(fs.existsSync(path.resolve(__dirname, '..', '..', '..', pkg.icon)));
  });
});
