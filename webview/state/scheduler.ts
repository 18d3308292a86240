// Draws only the newest state, only when the previous draw is done. Messages update the state at once (and the
// cheap text — status, header — is shown at once through `immediate`); the charts are drawn on the next animation
// frame. While a draw runs, newer states replace the pending one: there is never a backlog of old iterations.

export interface RenderSchedulerOptions<S> {
  /** requestAnimationFrame in the browser; a fake clock in tests. */
  requestFrame(callback: () => void): void;
  /** Cheap, synchronous updates shown with every state (status line, header). */
  immediate?(state: S): void;
  /** The slow part: the charts of one state. */
  draw(state: S): Promise<void>;
  onError(error: unknown): void;
}

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
  let idleWaiters: (() => void)[] = [];

  const settleIdle = () => {
    if (drawing || frameRequested || pending) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const requestDraw = () => {
    if (drawing || frameRequested || !pending) return;
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
    try {
      await options.draw(state);
    } catch (error) {
      options.onError(error);
    } finally {
      drawing = false;
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
      if (!drawing && !frameRequested && !pending) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
