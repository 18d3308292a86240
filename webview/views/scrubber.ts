// The iteration scrubber and its ▶ play button (every family).

import { shownIteration, type PanelAction, type PanelModel } from '../state/reducer';
import { candidateNote } from './common';
import { byId, setText } from './dom';

export function showScrubber(state: PanelModel): void {
  const scrubber = byId('scrubber') as HTMLInputElement;
  const note = candidateNote(state);
  if (note) {
    // A selection's other candidate: its final parameters only, no iterations to scrub.
    scrubber.disabled = true;
    byId('play').toggleAttribute('disabled', true);
    setText('iteration-label', note);
    return;
  }
  const count = state.stale ? 0 : state.snapshots.length;
  const last = Math.max(0, count - 1);
  const shown = shownIteration(state);
  scrubber.max = String(last);
  scrubber.value = String(Math.min(shown, last));
  scrubber.disabled = count < 2;
  byId('play').toggleAttribute('disabled', count < 2);
  setText('iteration-label', `iteration ${Math.min(shown, last)} of ${last}${state.ui.iteration === undefined && state.phase === 'running' ? ' (following)' : ''}`);
}

/** Plays the iterations from the shown one to the newest, about six seconds for a whole fit. */
export class Player {
  private timer: number | undefined;

  constructor(
    private readonly current: () => PanelModel,
    private readonly act: (action: PanelAction) => void,
  ) {}

  get playing(): boolean {
    return this.timer !== undefined;
  }

  toggle(): void {
    if (this.playing) {
      this.stop();
      return;
    }
    const state = this.current();
    const count = state.snapshots.length;
    if (count < 2) return;
    this.act({ type: 'scrub', iteration: shownIteration(state) >= count - 1 ? 0 : shownIteration(state) });
    byId('play').textContent = '⏸';
    byId('play').setAttribute('aria-label', 'Pause');
    const interval = Math.max(60, Math.min(400, Math.round(6000 / Math.max(1, count))));
    this.timer = window.setInterval(() => {
      const now = this.current();
      const next = shownIteration(now) + 1;
      if (next >= now.snapshots.length) {
        this.act({ type: 'scrub', iteration: undefined });
        this.stop();
      } else {
        this.act({ type: 'scrub', iteration: next });
      }
    }, interval);
  }

  stop(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
    byId('play').textContent = '▶';
    byId('play').setAttribute('aria-label', 'Play');
  }
}
