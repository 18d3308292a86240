// Draws only the newest state, only when the previous draw is done. Messages update the state at once (and the
// cheap text — status, header — is shown at once through `immediate`); the charts are drawn on the next animation
// frame. While a draw runs, newer states replace the pending one: there is never a backlog of old iterations.
// After a draw that took t ms the next one waits t ms (up to MAX_PAUSE_MS): however slow the charts, the panel stays
// idle at least half the time to answer the pointer and the keyboard; a fast fit then shows every other iteration.

export interface RenderSchedulerOptions<S> {
  /** requestAnimationFrame in the browser; a fake clock in tests. */
  requestFrame(callback: () => void): void;
  /** Cheap, synchronous updates shown with every state (status line, header). */
  immediate?(state: S): void;
  /** The slow part: the charts of one state. */
  draw(state: S): Promise<void>;
  onError(error: unknown): void;
  /** performance.now in the browser; a fake clock in tests (without it, draws are not paced). */
  now?(): number;
  /** setTimeout in the browser; a fake timer in tests. */
  delay?(ms: number, callback: () => void): void;
}

/** The longest pause between two draws. */
export const MAX_PAUSE_MS = 1000;

export interface RenderScheduler<S> {
  /** A new state: shown at once by `immediate`, drawn when the current draw (if any) is done. */
  update(state: S): void;
  /** Resolves when no draw is running or pending (for tests and exports). */
  idle(): Promise<void>;
}

export function createRenderScheduler<S>(options: RenderSchedulerOptions<S>): RenderScheduler<S> {
  let pending: { state: S } | undefined;
  let frameRequested = false;
  let drawing = false;
  /** When the next draw may start (the clock of options.now). */
  let nextDrawAt = 0;
  let pauseRunning = false;
  let idleWaiters: (() => void)[] = [];

  const settleIdle = () => {
    if (drawing || frameRequested || pauseRunning || pending) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const requestDraw = () => {
    if (drawing || frameRequested || pauseRunning || !pending) return;
    const wait = options.now && options.delay ? nextDrawAt - options.now() : 0;
    if (wait > 0) {
      pauseRunning = true;
      options.delay!(wait, () => {
        pauseRunning = false;
        requestDraw();
        settleIdle();
      });
      return;
    }
    frameRequested = true;
    options.requestFrame(() => void runFrame());
  };

  const runFrame = async () => {
    frameRequested = false;
    if (drawing || !pending) {
      settleIdle();
      return;
    }
    const { state } = pending;
    pending = undefined;
    drawing = true;
    const started = options.now?.() ?? 0;
    try {
      await options.draw(state);
    } catch (error) {
      options.onError(error);
    } finally {
      drawing = false;
      if (options.now) {
        const ended = options.now();
        nextDrawAt = ended + Math.min(MAX_PAUSE_MS, ended - started);
      }
      requestDraw();
      settleIdle();
    }
  };

  return {
    update(state: S) {
      pending = { state };
      if (options.immediate) {
        try {
          options.immediate(state);
        } catch (error) {
          options.onError(error);
        }
      }
      requestDraw();
    },
    idle() {
      if (!drawing && !frameRequested && !pauseRunning && !pending) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
