// The code lenses "Cluster this dataset" and "…with options" above a string literal that names an existing data file,
// in Python, R, Julia, JavaScript and TypeScript files and notebook cells. Kept cheap: the literals come from one scan
// per document version (dataLiterals.ts), no file is read, and whether a named file exists is one stat, kept for a
// while and made only once the typing pauses (statCache.ts). The setting mixscope.codeLens turns them off.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { dataFileGlob } from './files';
import { findDataLiterals, LANGUAGE_SYNTAX, lensTitles, pathLookup, type DataLiteral } from './dataLiterals';
import { StatCache } from './statCache';

export const CODE_LENS_SETTING = 'codeLens';
/** A document with more data-file literals than this gets lenses for the first ones only. */
const MAX_LITERALS = 500;

/** Files and notebook cells of every language the scanner knows (a cell's document has the cell's language). */
export function codeLensSelector(): vscode.DocumentFilter[] {
  return Object.keys(LANGUAGE_SYNTAX).flatMap((language) => [{ language }, { notebookType: '*', language }]);
}

export class DataFileCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly scans = new Map<string, { version: number; literals: DataLiteral[] }>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly cache = new StatCache({
    stat: async (key) => {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.parse(key, true));
      return (stat.type & vscode.FileType.File) !== 0;
    },
    ttlMs: 30_000,
    debounceMs: 150,
    maxEntries: 5_000,
    concurrency: 8,
  });

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(dataFileGlob(), false, true, false);
    const refresh = (uri: vscode.Uri) => {
      this.cache.forget(uri.toString());
      this.changed.fire();
    };
    this.disposables.push(
      watcher,
      watcher.onDidCreate(refresh),
      watcher.onDidDelete(refresh),
      vscode.workspace.onDidCloseTextDocument((document) => this.scans.delete(document.uri.toString())),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`mixscope.${CODE_LENS_SETTING}`)) this.changed.fire();
      }),
      this.changed,
    );
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!lensesEnabled(document.uri)) return [];
    const literals = this.literalsOf(document);
    if (literals.length === 0) return [];
    const candidates = literals.map((literal) => candidateUris(document, literal.path));
    const keys = [...new Set(candidates.flat().map((uri) => uri.toString()))];
    const exists = await this.cache.existing(keys, () => token.isCancellationRequested);
    if (token.isCancellationRequested) return [];

    const found: { literal: DataLiteral; uri: vscode.Uri; range: vscode.Range }[] = [];
    literals.forEach((literal, i) => {
      const uri = candidates[i].find((candidate) => exists.get(candidate.toString()));
      if (uri) found.push({ literal, uri, range: new vscode.Range(document.positionAt(literal.start), document.positionAt(literal.end)) });
    });
    const perLine = new Map<number, number>();
    for (const f of found) perLine.set(f.range.start.line, (perLine.get(f.range.start.line) ?? 0) + 1);
    return found.flatMap(({ literal, uri, range }) => {
      const titles = lensTitles(literal.path, perLine.get(range.start.line) ?? 1);
      const where = vscode.workspace.asRelativePath(uri, false);
      return [
        new vscode.CodeLens(range, { title: titles.cluster, command: 'mixscope.clusterDataset', arguments: [uri], tooltip: `Fit ${where} with the mixscope.* settings` }),
        new vscode.CodeLens(range, { title: titles.withOptions, command: 'mixscope.clusterDatasetWithOptions', arguments: [uri], tooltip: `Choose the model, K and columns, then fit ${where}` }),
      ];
    });
  }

  /** The data-file literals of a document, scanned once per version. */
  private literalsOf(document: vscode.TextDocument): DataLiteral[] {
    const key = document.uri.toString();
    const kept = this.scans.get(key);
    if (kept && kept.version === document.version) return kept.literals;
    const literals = findDataLiterals(document.getText(), document.languageId).slice(0, MAX_LITERALS);
    this.scans.set(key, { version: document.version, literals });
    return literals;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.scans.clear();
  }
}

function lensesEnabled(resource: vscode.Uri): boolean {
  const value = vscode.workspace.getConfiguration('mixscope', resource).get<unknown>(CODE_LENS_SETTING);
  return value !== false;
}

/** The file a document is (a notebook cell's is its notebook's), or undefined for an untitled document. */
function documentFile(document: vscode.TextDocument): vscode.Uri | undefined {
  const uri = document.uri;
  if (uri.scheme === 'untitled') return undefined;
  if (uri.scheme === 'vscode-notebook-cell') {
    const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((cell) => cell.document === document));
    return notebook && notebook.uri.scheme !== 'untitled' ? notebook.uri : undefined;
  }
  return uri;
}

/** Where a literal's path may be, in the order looked up: the document's folder, then each workspace folder. */
export function candidateUris(document: vscode.TextDocument, literalPath: string): vscode.Uri[] {
  const lookup = pathLookup(literalPath);
  if (!lookup) return [];
  const file = documentFile(document);
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri);
  if (lookup.absolute) {
    const base = file ?? folders[0];
    return [base ? base.with({ path: lookup.path, query: '', fragment: '' }) : vscode.Uri.file(lookup.path)];
  }
  const bases = file ? [file.with({ path: path.posix.dirname(file.path), query: '', fragment: '' }), ...folders] : folders;
  const uris = bases.map((base) => vscode.Uri.joinPath(base, lookup.relative));
  return uris.filter((uri, i) => uris.findIndex((u) => u.toString() === uri.toString()) === i);
}

export function registerCodeLenses(context: vscode.ExtensionContext): DataFileCodeLensProvider {
  const provider = new DataFileCodeLensProvider();
  context.subscriptions.push(provider, vscode.languages.registerCodeLensProvider(codeLensSelector(), provider));
  return provider;
}
