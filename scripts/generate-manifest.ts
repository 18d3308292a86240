// Writes package.json's generated parts from their single sources:
//   - contributes.configuration.properties from the settings schema (src/shared/settings.ts);
//   - contributes.walkthroughs from the first-run walkthrough (src/host/samples.ts);
//   - the `when` clause of the data-file menus (Cluster this dataset…) from the format registry, when
//     src/engine/data/formats.ts exports dataFileWhenClause(); otherwise the menus are left as they are.
// Usage: npx tsx scripts/generate-manifest.ts [--check] [--package FILE]   (npm run manifest)
//   --check: write nothing; exit 1 when the file differs from what would be generated (CI, tests).
//   --readme-table: print README's settings table (markdown) instead.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { walkthroughContribution } from '../src/host/samples';
import { configurationProperties, settingsMarkdownTable } from '../src/shared/settingsText';

/** What the generator can take from the format registry (every member optional: the registry may not exist yet). */
export interface FormatRegistryExports {
  dataFileWhenClause?: () => string;
}

/**
 * The menus whose entries for the data-file commands get the registry's `when` clause, each with the condition that
 * must stay in front of it (the Explorer must not offer the commands on a folder).
 */
export const DATA_FILE_MENUS: readonly { menu: string; prefix: string }[] = [
  { menu: 'explorer/context', prefix: '!explorerResourceIsFolder && ' },
  { menu: 'editor/context', prefix: '' },
  { menu: 'editor/title/context', prefix: '' },
];
export const DATA_FILE_COMMANDS: readonly string[] = ['mixscope.clusterDataset', 'mixscope.clusterDatasetWithOptions', 'mixscope.applySavedModel'];

const ROOT = path.resolve(__dirname, '..');
const FORMATS_MODULE = path.join(ROOT, 'src/engine/data/formats.ts');

/** The format registry's exports, or an empty object when it does not exist yet. */
export function loadFormatRegistry(file = FORMATS_MODULE): FormatRegistryExports {
  if (!fs.existsSync(file)) return {};
  // A computed path: the registry is optional, so the type checker must not require it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded: unknown = require(file);
  const dataFileWhenClause = (loaded as FormatRegistryExports).dataFileWhenClause;
  return typeof dataFileWhenClause === 'function' ? { dataFileWhenClause } : {};
}

/** `a || b` → `(a || b)`, so that a prefix joined with && applies to the whole clause; already-wrapped stays as is. */
export function parenthesize(clause: string): string {
  const text = clause.trim();
  if (text.startsWith('(') && text.endsWith(')')) {
    // Wrapped only if the opening parenthesis closes at the very end ("(a) || (b)" is not wrapped).
    let depth = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')') depth--;
      if (depth === 0 && i < text.length - 1) return `(${text})`;
    }
    return text;
  }
  return `(${text})`;
}

type Json = Record<string, unknown>;
interface MenuEntry {
  command?: string;
  when?: string;
}

/** The package manifest with its generated parts replaced; `manifest` is not modified. */
export function generateManifest(manifest: Json, formats: FormatRegistryExports = {}): Json {
  const next = JSON.parse(JSON.stringify(manifest)) as Json;
  const contributes = (next.contributes ??= {}) as Json;
  const configuration = (contributes.configuration ??= { title: 'Mixscope' }) as Json;
  configuration.properties = configurationProperties();
  contributes.walkthroughs = walkthroughContribution();

  if (formats.dataFileWhenClause) {
    const clause = parenthesize(formats.dataFileWhenClause());
    const menus = (contributes.menus ?? {}) as Record<string, MenuEntry[]>;
    for (const { menu, prefix } of DATA_FILE_MENUS) {
      for (const entry of menus[menu] ?? []) {
        if (entry.command && DATA_FILE_COMMANDS.includes(entry.command)) entry.when = `${prefix}${clause}`;
      }
    }
  }
  return next;
}

/** The text package.json should hold, from its current text. */
export function generateManifestText(currentText: string, formats: FormatRegistryExports = loadFormatRegistry()): string {
  return JSON.stringify(generateManifest(JSON.parse(currentText) as Json, formats), null, 2) + '\n';
}

function main(argv: string[]): number {
  if (argv.includes('--readme-table')) {
    process.stdout.write(settingsMarkdownTable() + '\n');
    return 0;
  }
  const check = argv.includes('--check');
  const at = argv.indexOf('--package');
  const file = at >= 0 && argv[at + 1] ? path.resolve(argv[at + 1]) : path.join(ROOT, 'package.json');
  const current = fs.readFileSync(file, 'utf8');
  const generated = generateManifestText(current);
  if (current === generated) {
    process.stdout.write(`${path.basename(file)} is up to date with the settings schema.\n`);
    return 0;
  }
  if (check) {
    process.stderr.write(`${path.basename(file)} differs from the settings schema (src/shared/settings.ts) or the format registry: run \`npm run manifest\`.\n`);
    return 1;
  }
  fs.writeFileSync(file, generated);
  process.stdout.write(`${path.basename(file)}: contributes.configuration regenerated.\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
