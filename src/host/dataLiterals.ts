// The string literals of a source file that may name a data file: `pd.read_csv("faithful.csv")`, `np.load('x.npy')`,
// `read.csv("x.csv")`, `open("data/x.tsv")`. One linear scan per language that skips comments and knows each
// language's string syntax; a literal counts when its text is a name the format registry takes. Whether the file exists
// is the code-lens provider's question (codeLens.ts). Pure: no `vscode` import, tested in plain mocha.

import { isDataFileName } from '../engine/data/formatNames';

export type LiteralLanguage = 'python' | 'r' | 'julia' | 'javascript';

/** VS Code's language ids the lenses are offered for, each with the syntax it is scanned with. */
export const LANGUAGE_SYNTAX: Readonly<Record<string, LiteralLanguage>> = {
  python: 'python',
  r: 'r',
  julia: 'julia',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  typescript: 'javascript',
  typescriptreact: 'javascript',
};

export interface DataLiteral {
  /** The path the literal names, escapes resolved, backslashes turned into `/`. */
  path: string;
  /** Offsets in the text of the whole literal, quotes and prefix included: [start, end). */
  start: number;
  end: number;
}

/** Longer literals are not file names (and are not worth decoding). */
const MAX_PATH_LENGTH = 1024;

/**
 * The literals of `text` (a document in `language`, a VS Code language id) whose content names a data file by its
 * extension or name pattern. Interpolated strings (f-strings, template literals with `${`, Julia's `$`), URLs and
 * globs are left out: what they name is not known from the text.
 */
export function findDataLiterals(text: string, language: string): DataLiteral[] {
  const syntax = LANGUAGE_SYNTAX[language];
  if (!syntax) return [];
  const found: DataLiteral[] = [];
  const take = (start: number, end: number, raw: string, rawString: boolean) => {
    if (raw.length === 0 || raw.length > MAX_PATH_LENGTH) return;
    const path = decodePath(raw, rawString);
    if (path !== undefined && isDataFileName(path)) found.push({ path, start, end });
  };
  SCANNERS[syntax](text, take);
  return found;
}

/** The text of a literal as a path, or undefined when it cannot be a local file's path. */
function decodePath(raw: string, rawString: boolean): string | undefined {
  if (/[\n\r\t*?<>|"]/.test(raw)) return undefined;
  let value = raw;
  if (!rawString) {
    if (/\\[^\\/'"` ]/.test(value.replace(/\\\\/g, ''))) {
      // Only `\\`, `\/` and escaped quotes are kept; another escape (\n, \u…) is not a path we can read.
      return undefined;
    }
    value = value.replace(/\\(.)/g, '$1');
  }
  value = value.replace(/\\/g, '/').trim();
  if (value === '' || /^[a-z][a-z0-9+.-]+:\/\//i.test(value)) return undefined; // URLs: s3://, https://
  return value;
}

type Take = (start: number, end: number, raw: string, rawString: boolean) => void;

const stops = new Map<string, RegExp>();

/** The next index at or after `from` of a character in `chars` (a regex class body), or the text's length. */
function nextOf(text: string, from: number, chars: string): number {
  let re = stops.get(chars);
  if (!re) stops.set(chars, (re = new RegExp(`[${chars}]`, 'g')));
  re.lastIndex = from;
  return re.exec(text)?.index ?? text.length;
}

/** Index just past a string body opened at `i` (the first character after the opening quote), or -1 if unclosed on the line. */
function closeQuote(text: string, i: number, quote: string, escapes: boolean, multiline: boolean): number {
  const n = text.length;
  const chars = `${quote[0]}${escapes ? '\\\\' : ''}\\n`; // a regex class: the quote, a backslash, a line end
  while (i < n) {
    i = nextOf(text, i, chars);
    if (i >= n) return -1;
    const c = text[i];
    if (escapes && c === '\\') {
      i += 2;
      continue;
    }
    if (text.startsWith(quote, i)) return i + quote.length;
    if (!multiline && c === '\n') return -1;
    i++;
  }
  return -1;
}

function skipLine(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl;
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\w$]/.test(c);

// ------------------------------------------------------------------------------------------------ Python

function scanPython(text: string, take: Take): void {
  const n = text.length;
  let i = 0;
  while ((i = nextOf(text, i, `#"'`)) < n) {
    const c = text[i];
    if (c === '#') {
      i = skipLine(text, i);
      continue;
    }
    if (c === '"' || c === "'") {
      // A string prefix (r, b, u, f and their pairs) sits right before the quote, after a non-word character.
      let p = i;
      while (p > 0 && /[rRbBuUfF]/.test(text[p - 1]) && i - p < 2) p--;
      const prefix = p > 0 && isWordChar(text[p - 1]) ? '' : text.slice(p, i).toLowerCase();
      const start = prefix === '' ? i : p;
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      const bodyStart = i + quote.length;
      const end = closeQuote(text, bodyStart, quote, true, triple);
      if (end < 0) {
        i = triple ? n : skipLine(text, bodyStart);
        continue;
      }
      const raw = text.slice(bodyStart, end - quote.length);
      if (!triple && !prefix.includes('f')) take(start, end, raw, prefix.includes('r'));
      i = end;
      continue;
    }
    i++;
  }
}

// ------------------------------------------------------------------------------------------------ R

function scanR(text: string, take: Take): void {
  const n = text.length;
  let i = 0;
  while ((i = nextOf(text, i, `#"'\``)) < n) {
    const c = text[i];
    if (c === '#') {
      i = skipLine(text, i);
      continue;
    }
    if (c === '`') {
      // A backquoted name, not a string.
      const end = closeQuote(text, i + 1, '`', true, false);
      i = end < 0 ? skipLine(text, i + 1) : end;
      continue;
    }
    if (c === '"' || c === "'") {
      // R 4's raw strings: r"(...)", R'[...]', r"---{...}---".
      const rawPrefix = i > 0 && /[rR]/.test(text[i - 1]) && !isWordChar(text[i - 2]);
      const raw = rawPrefix ? /^(-*)([([{])/.exec(text.slice(i + 1, i + 200)) : null;
      if (raw) {
        const closer = { '(': ')', '[': ']', '{': '}' }[raw[2] as '(' | '[' | '{'];
        const bodyStart = i + 1 + raw[0].length;
        const terminator = `${closer}${raw[1]}${c}`;
        const close = text.indexOf(terminator, bodyStart);
        if (close < 0) return;
        const end = close + terminator.length;
        take(i - 1, end, text.slice(bodyStart, close), true);
        i = end;
        continue;
      }
      const end = closeQuote(text, i + 1, c, true, true);
      if (end < 0) return;
      take(i, end, text.slice(i + 1, end - 1), false);
      i = end;
      continue;
    }
    i++;
  }
}

// ------------------------------------------------------------------------------------------------ Julia

function scanJulia(text: string, take: Take): void {
  const n = text.length;
  let i = 0;
  while ((i = nextOf(text, i, `#"'`)) < n) {
    const c = text[i];
    if (c === '#') {
      if (text[i + 1] === '=') {
        // Block comments nest.
        let depth = 1;
        i += 2;
        while (i < n && depth > 0) {
          if (text.startsWith('#=', i)) {
            depth++;
            i += 2;
          } else if (text.startsWith('=#', i)) {
            depth--;
            i += 2;
          } else i++;
        }
      } else i = skipLine(text, i);
      continue;
    }
    if (c === "'") {
      // A character literal ('a', '\n', '"'), or the adjoint operator (A'), which is left alone.
      const char = /^'(\\.[^']{0,8}|[^'\\\n])'/.exec(text.slice(i, i + 12));
      i += char && !isWordChar(text[i - 1]) && text[i - 1] !== ')' && text[i - 1] !== ']' ? char[0].length : 1;
      continue;
    }
    if (c === '"') {
      // A prefix makes a string macro: raw"..." keeps backslashes; r"..." (a regex), b"...", etc. name no file.
      let p = i;
      while (p > 0 && isWordChar(text[p - 1])) p--;
      const macro = text.slice(p, i);
      const triple = text.startsWith('"""', i);
      const quote = triple ? '"""' : '"';
      const bodyStart = i + quote.length;
      const end = closeQuote(text, bodyStart, quote, true, true);
      if (end < 0) return;
      const raw = text.slice(bodyStart, end - quote.length);
      if (!triple && (macro === '' || macro === 'raw') && (macro === 'raw' || !raw.includes('$'))) take(p, end, raw, macro === 'raw');
      i = end;
      continue;
    }
    i++;
  }
}

// ------------------------------------------------------------------------------------------------ JavaScript, TypeScript

/** After these a `/` starts a regular expression, not a division. */
const REGEX_AFTER = /(?:^|[(,=:[!&|?{};+\-*%<>~^]|\b(?:return|typeof|case|do|else|in|of|void|yield|await|delete|throw|new))\s*$/;

function scanJavaScript(text: string, take: Take): void {
  const n = text.length;
  let i = 0;
  while ((i = nextOf(text, i, `/"'\``)) < n) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      i = skipLine(text, i);
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (c === '/' && REGEX_AFTER.test(text.slice(Math.max(0, i - 12), i))) {
      // A regular expression literal: skip it (a quote inside it opens no string). Classes may hold '/'.
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== '\n') {
        const d = text[j];
        if (d === '\\') j++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        j++;
      }
      i = j < n && text[j] === '/' ? j + 1 : i + 1;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const end = closeQuote(text, i + 1, c, true, c === '`');
      if (end < 0) {
        i = c === '`' ? n : skipLine(text, i + 1);
        continue;
      }
      const raw = text.slice(i + 1, end - 1);
      if (!(c === '`' && raw.includes('${'))) take(i, end, raw, false);
      i = end;
      continue;
    }
    i++;
  }
}

const SCANNERS: Readonly<Record<LiteralLanguage, (text: string, take: Take) => void>> = {
  python: scanPython,
  r: scanR,
  julia: scanJulia,
  javascript: scanJavaScript,
};

// ------------------------------------------------------------------------------------------------ where the file is

/**
 * Where a literal's path is looked for, in order: an absolute path as it is; a relative one (`./`, `../` allowed)
 * against the document's folder, then each workspace folder. `~` (the home folder) is left to the shell: not looked up.
 */
export function pathLookup(path: string): { absolute: true; path: string } | { absolute: false; relative: string } | undefined {
  if (path.startsWith('~')) return undefined;
  if (/^[a-z]:\//i.test(path)) return { absolute: true, path: `/${path}` }; // C:/data/x.csv, as a file URI's path
  if (path.startsWith('/')) return { absolute: true, path };
  return { absolute: false, relative: path.replace(/^(\.\/)+/, '') };
}

// ------------------------------------------------------------------------------------------------ lens titles

/** What a lens's pair says: with one data literal on its line, the commands' own titles; with more, the file name. */
export function lensTitles(path: string, literalsOnLine: number): { cluster: string; withOptions: string } {
  if (literalsOnLine <= 1) return { cluster: 'Cluster this dataset', withOptions: '…with options' };
  const name = path.slice(path.lastIndexOf('/') + 1);
  return { cluster: `Cluster ${name}`, withOptions: '…with options' };
}
