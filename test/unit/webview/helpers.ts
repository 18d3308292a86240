// Shared by the webview-*.test.ts files: compile a Vega-Lite spec, render it to SVG in Node with the CSP-safe
// expression interpreter (as the panel does), and count the items of named marks in the SVG text.
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { expressionInterpreter } from 'vega-interpreter';
import type { TopLevelSpec } from 'vega-lite';
import { chartTheme, type ThemeKind } from '../../../webview/theme';

export function testTheme(kind: ThemeKind = 'dark') {
  const vars: Record<string, string> = {
    '--vscode-editor-foreground': '#d4d4d4',
    '--vscode-editor-background': '#1e1e1e',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-red': '#f14c4c',
    '--vscode-font-family': 'system-ui',
  };
  return chartTheme((name) => vars[name] ?? '', kind);
}

export function compileSpec(spec: TopLevelSpec): vega.Spec {
  return vl.compile(spec).spec as vega.Spec;
}

export async function renderView(spec: TopLevelSpec): Promise<vega.View> {
  // vega's typings miss the third `options` argument of parse and the `expr` view option.
  const parse = vega.parse as unknown as (s: vega.Spec, c: unknown, o: { ast: boolean }) => vega.Runtime;
  const view = new vega.View(parse(compileSpec(spec), undefined, { ast: true }), {
    renderer: 'none',
    expr: expressionInterpreter,
  } as vega.ViewOptions);
  await view.runAsync();
  return view;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = await renderView(spec);
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/**
 * For each SVG group of the mark named `name` (class `<name>_marks`), the number of items drawn in it
 * (`<path>`, `<line>`, `<text>` children). Mark groups do not nest items, so the group ends at the next `</g>`.
 */
export function markGroups(svg: string, name: string): number[] {
  const re = new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>`, 'g');
  const counts: number[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(svg))) {
    if (m[0].endsWith('/>')) {
      counts.push(0); // an empty mark group
      continue;
    }
    const end = svg.indexOf('</g>', m.index + m[0].length);
    const body = svg.slice(m.index + m[0].length, end);
    counts.push((body.match(/<(path|line|text)\b/g) ?? []).length);
  }
  return counts;
}

export function markItems(svg: string, name: string): number {
  return markGroups(svg, name).reduce((a, b) => a + b, 0);
}

/** aria-labels of the items of a mark (the `description` channel). */
export function markLabels(svg: string, name: string): string[] {
  const re = new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>`, 'g');
  const labels: string[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(svg))) {
    if (m[0].endsWith('/>')) continue;
    const end = svg.indexOf('</g>', m.index + m[0].length);
    const body = svg.slice(m.index + m[0].length, end);
    for (const a of body.matchAll(/aria-label="([^"]*)"/g)) labels.push(a[1]);
  }
  return labels;
}
