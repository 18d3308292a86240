// What every view is given to draw one state: the state, the charts, the theme, and a way to report user actions.

import type { ModelKind } from '../../src/shared/protocol';
import type { Charts } from '../charts';
import type { ChartTheme } from '../theme';
import type { PanelAction, PanelModel } from '../state/reducer';

export interface ViewContext {
  state: PanelModel;
  charts: Charts;
  theme: ChartTheme;
  /** Bumped on every theme change: part of every chart key, so a new theme rebuilds the charts. */
  themeVersion: number;
  /** Feeds a user action (a click on a chart) back through the reducer. */
  act(action: PanelAction): void;
}

/** One mixture family's part of the panel: its section, its charts and its parameter table. */
export interface FamilyView {
  model: ModelKind;
  /** The id of the family's section in panelHtml (shown only for this family). */
  sectionId: string;
  /** Other families' sections this view also draws in (the mixed view: the Gaussian scatter). */
  alsoShows?: string[];
  draw(ctx: ViewContext): Promise<void>;
  /** Rows of the parameter table at the shown iteration. */
  params(ctx: ViewContext, table: HTMLTableElement): void;
  /** Removes what the family drew outside the charts (member images…). */
  clear(): void;
}
