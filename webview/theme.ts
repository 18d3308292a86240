// VS Code theme → Vega config. Pure (no DOM): the webview passes a lookup of CSS variable values, tests pass a map.
// VS Code sets `--vscode-*` variables on <html> and a class on <body>: vscode-light, vscode-dark,
// vscode-high-contrast (plus vscode-high-contrast-light for the light high-contrast theme).

import type { Config } from 'vega-lite';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/** The colours and font the charts use, resolved from the theme. */
export interface ChartTheme {
  kind: ThemeKind;
  foreground: string;
  background: string;
  /** Secondary text (axis labels, notes). */
  muted: string;
  /** Grid lines: faint but visible against the background. */
  grid: string;
  /** Categorical palette: one colour per component, first from VS Code's --vscode-charts-*. */
  palette: string[];
  /** Diverging ends for r₁ − r₂ (component 1 → `diverging[0]`, component 2 → `diverging[2]`) and its midpoint. */
  diverging: [string, string, string];
  fontFamily: string;
  fontSize: number;
  /** Stroke width for contours and lines: wider in high contrast. */
  lineWidth: number;
}

const FALLBACK: Record<ThemeKind, { fg: string; bg: string; muted: string; grid: string }> = {
  light: { fg: '#3b3b3b', bg: '#ffffff', muted: '#6f6f6f', grid: '#e5e5e5' },
  dark: { fg: '#cccccc', bg: '#1f1f1f', muted: '#9d9d9d', grid: '#3c3c3c' },
  'high-contrast': { fg: '#ffffff', bg: '#000000', muted: '#ffffff', grid: '#6fc3df' },
  'high-contrast-light': { fg: '#292929', bg: '#ffffff', muted: '#292929', grid: '#0f4a85' },
};

/** VS Code's chart colours, in the order we hand them to components. */
const CHART_VARS = ['blue', 'red', 'green', 'orange', 'purple', 'yellow'] as const;

/** Used when a theme does not define --vscode-charts-* (old themes) and to extend the palette past six. */
const FALLBACK_PALETTE: Record<'light' | 'dark', string[]> = {
  light: ['#1a85ff', '#e51400', '#388a34', '#d18616', '#652d90', '#bf8803', '#0097a7', '#c2185b', '#5d4037', '#455a64'],
  dark: ['#3794ff', '#f14c4c', '#89d185', '#d18616', '#b180d7', '#cca700', '#4dd0e1', '#f06292', '#bcaaa4', '#90a4ae'],
};

/** Which theme the body's classes say. */
export function themeKindFromClasses(classes: Iterable<string>): ThemeKind {
  const set = new Set(classes);
  if (set.has('vscode-high-contrast-light')) return 'high-contrast-light';
  if (set.has('vscode-high-contrast')) return 'high-contrast';
  if (set.has('vscode-dark')) return 'dark';
  return 'light';
}

/**
 * Resolves the chart theme from CSS variable values. `cssVar(name)` returns the value of e.g.
 * `--vscode-editor-foreground` ('' when unset).
 */
export function chartTheme(cssVar: (name: string) => string, kind: ThemeKind): ChartTheme {
  const get = (name: string): string => (cssVar(name) ?? '').trim();
  const fb = FALLBACK[kind];
  const foreground = get('--vscode-editor-foreground') || get('--vscode-foreground') || fb.fg;
  const background = get('--vscode-editor-background') || fb.bg;
  const muted = get('--vscode-descriptionForeground') || fb.muted;
  const highContrast = kind === 'high-contrast' || kind === 'high-contrast-light';
  const grid = highContrast
    ? get('--vscode-contrastBorder') || fb.grid
    : get('--vscode-editorRuler-foreground') || get('--vscode-editorIndentGuide-background1') || fb.grid;
  const fallbackPalette = FALLBACK_PALETTE[kind === 'light' || kind === 'high-contrast-light' ? 'light' : 'dark'];
  const fromTheme = CHART_VARS.map((c, i) => get(`--vscode-charts-${c}`) || fallbackPalette[i]);
  const palette = [...fromTheme, ...fallbackPalette.slice(fromTheme.length)];
  const diverging: [string, string, string] = [palette[1], muted, palette[0]];
  const fontFamily = get('--vscode-font-family') || get('--vscode-editor-font-family') || 'sans-serif';
  const sizeText = get('--vscode-font-size');
  const parsedSize = Number.parseFloat(sizeText);
  const fontSize = Number.isFinite(parsedSize) && parsedSize > 6 && parsedSize < 40 ? parsedSize : 13;
  return {
    kind,
    foreground,
    background,
    muted,
    grid,
    palette,
    diverging,
    fontFamily,
    fontSize,
    lineWidth: highContrast ? 2.5 : 1.6,
  };
}

/** The Vega-Lite config for a theme: text, axes, legends, headers and the default palette. */
export function vegaConfig(theme: ChartTheme): Config {
  const { foreground, background, muted, grid, fontFamily, fontSize } = theme;
  const highContrast = theme.kind === 'high-contrast' || theme.kind === 'high-contrast-light';
  const labelSize = Math.max(9, fontSize - 2);
  return {
    background,
    font: fontFamily,
    padding: 6,
    view: { stroke: highContrast ? foreground : grid },
    title: { color: foreground, subtitleColor: muted, fontSize: fontSize + 1, fontWeight: 'normal', anchor: 'start' },
    axis: {
      domainColor: highContrast ? foreground : muted,
      tickColor: highContrast ? foreground : muted,
      gridColor: grid,
      gridOpacity: highContrast ? 0.6 : 1,
      labelColor: highContrast ? foreground : muted,
      titleColor: foreground,
      labelFontSize: labelSize,
      titleFontSize: labelSize + 1,
      titleFontWeight: 'normal',
    },
    legend: {
      labelColor: foreground,
      titleColor: foreground,
      labelFontSize: labelSize,
      titleFontSize: labelSize + 1,
      titleFontWeight: 'normal',
      symbolStrokeColor: foreground,
    },
    header: { labelColor: foreground, titleColor: foreground, labelFontSize: labelSize, titleFontSize: labelSize + 1 },
    text: { color: foreground },
    mark: { color: theme.palette[0] },
    range: { category: theme.palette },
  };
}
