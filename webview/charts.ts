// The panel's Vega charts: embedding (CSP-safe: vega-interpreter, no injected styles), in-place data swaps while
// scrubbing, clearing and export. One Charts instance per panel; draws are serialised by the render scheduler.

import embed from 'vega-embed';
import type { Result as EmbedResult, VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import type { View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { LIMITS } from '../src/shared/protocol';
import { byId } from './views/dom';

export const CHART_IDS = ['selection', 'scatter', 'histogram', 'loglik', 'images', 'confusion', 'pairs', 'rates', 'counts', 'profiles', 'history'] as const;
export type ChartId = (typeof CHART_IDS)[number];

export interface ChartDraw {
  /** Everything that needs a rebuild when it changes (structure, size, theme); data changes go through view.data. */
  key: string;
  build: () => TopLevelSpec;
  datasets: () => Record<string, object[]>;
  signals?: Record<string, unknown>;
  /** Called once per new view (event listeners). */
  onCreate?: (view: View) => void;
  /** How many marks the chart draws (points): above CANVAS_MARKS it is drawn on a canvas rather than in SVG. */
  marks?: number;
}

/**
 * Above this many marks a chart is drawn on a canvas: the SVG renderer builds and diffs one DOM node per point, about
 * a second for 5,000 points on every update, which would block the panel for the length of each redraw. Exports are
 * unchanged (Vega renders SVG and PNG from either).
 */
export const CANVAS_MARKS = 2000;

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** What every chart of the panel gets (linked hover): its spec before embedding, its view once created. */
export interface ChartHooks {
  decorate?(id: ChartId, spec: TopLevelSpec): TopLevelSpec;
  created?(id: ChartId, view: View): void;
}

export class Charts {
  private readonly shown = new Map<ChartId, { result: EmbedResult; key: string }>();
  /** Bumped whenever all charts are cleared: an embed that finishes after a clear is dropped. */
  private epoch = 0;

  constructor(private readonly hooks: ChartHooks = {}) {}

  /** Draws in #id, or, when the chart exists with the same key, swaps its datasets and signals in place. */
  async draw(id: ChartId, chart: ChartDraw): Promise<void> {
    const existing = this.shown.get(id);
    const renderer = (chart.marks ?? 0) > CANVAS_MARKS ? 'canvas' : 'svg';
    const key = `${chart.key}|${renderer}`;
    if (existing && existing.key === key) {
      const view = existing.result.view;
      for (const [name, rows] of Object.entries(chart.datasets())) view.data(name, rows);
      for (const [name, value] of Object.entries(chart.signals ?? {})) view.signal(name, value);
      await view.runAsync();
      return;
    }
    const epoch = this.epoch;
    const el = byId(id);
    const spec = this.hooks.decorate ? this.hooks.decorate(id, chart.build()) : chart.build();
    const result = await embed(el, spec as VisualizationSpec, {
      mode: 'vega-lite',
      renderer,
      actions: false,
      defaultStyle: false,
      ast: true,
      expr: expressionInterpreter,
      tooltip: { disableDefaultStyle: true, theme: 'vscode', sanitize: (v: unknown) => escapeText(String(v)) },
      logLevel: 1,
    });
    if (epoch !== this.epoch) {
      // Cleared while embedding: never leave a chart of a run that failed or was replaced.
      result.finalize();
      el.replaceChildren();
      return;
    }
    existing?.result.finalize();
    this.shown.set(id, { result, key });
    el.dataset.renderer = renderer;
    chart.onCreate?.(result.view);
    this.hooks.created?.(id, result.view);
  }

  /** Sets a signal on every drawn chart that has it (a hover: no rebuild, no data swap). */
  async setSignal(name: string, value: unknown): Promise<void> {
    const runs: Promise<unknown>[] = [];
    for (const { result } of this.shown.values()) {
      const view = result.view;
      let current: unknown;
      try {
        current = view.signal(name);
      } catch {
        continue; // this chart has no such signal
      }
      if (current !== value) runs.push(view.signal(name, value).runAsync());
    }
    await Promise.all(runs);
  }

  has(id: ChartId): boolean {
    return this.shown.has(id);
  }

  clear(id: ChartId): void {
    this.shown.get(id)?.result.finalize();
    this.shown.delete(id);
    const el = byId(id);
    el.replaceChildren();
    for (const attr of [...el.getAttributeNames()]) if (attr.startsWith('data-')) el.removeAttribute(attr);
  }

  clearAll(): void {
    this.epoch++;
    for (const id of CHART_IDS) this.clear(id);
  }

  /** The chart as SVG text or a PNG data URL, or a reason it cannot be exported. */
  async exported(id: ChartId, format: 'png' | 'svg'): Promise<{ data: string } | { problem: string }> {
    const entry = this.shown.get(id);
    if (!entry) return { problem: `The ${id} chart is not drawn yet.` };
    const view = entry.result.view;
    const data = format === 'svg' ? await view.toSVG() : await view.toImageURL('png', 2);
    if (data.length > Math.ceil((LIMITS.exportBytesMax * 4) / 3) + 100) return { problem: `The ${id} chart is too large to export (${data.length.toLocaleString('en-US')} bytes).` };
    return { data };
  }
}
