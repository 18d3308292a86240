// Whether files exist, for the code lenses: each answer is kept for a while, and the files not known yet are statted
// together once requests stop coming for a moment (typing `read_csv("data/x.csv")` asks on every keystroke; only the
// names still wanted when the typing pauses are looked up). A request whose editor moved on is dropped before any stat.
// Pure: the stat and the timer are passed in, so it is tested in plain mocha.

export interface StatCacheOptions {
  /** Whether the file exists (a stat; a failure counts as "no"). */
  stat: (key: string) => Promise<boolean>;
  /** How long an answer is kept. */
  ttlMs: number;
  /** The quiet time before the files not known yet are statted. */
  debounceMs: number;
  /** Most answers kept (the oldest go first). */
  maxEntries: number;
  /** Stats at once. */
  concurrency: number;
  now?: () => number;
  /** Runs `run` after `ms`; returns what cancels it. */
  schedule?: (run: () => void, ms: number) => () => void;
}

interface Request {
  keys: readonly string[];
  cancelled: () => boolean;
  resolve: (answers: Map<string, boolean>) => void;
}

const defaultSchedule = (run: () => void, ms: number) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

export class StatCache {
  private readonly known = new Map<string, { exists: boolean; at: number }>();
  private waiting: Request[] = [];
  private cancelTimer: (() => void) | undefined;
  private readonly now: () => number;
  private readonly schedule: (run: () => void, ms: number) => () => void;
  /** Stats made so far (for the output channel and the tests). */
  stats = 0;

  constructor(private readonly options: StatCacheOptions) {
    this.now = options.now ?? Date.now;
    this.schedule = options.schedule ?? defaultSchedule;
  }

  /** The kept answer for a file, or undefined when it is not known (or too old). */
  cached(key: string): boolean | undefined {
    const entry = this.known.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at > this.options.ttlMs) {
      this.known.delete(key);
      return undefined;
    }
    return entry.exists;
  }

  /**
   * Whether each file exists: at once when every answer is kept, else after the next quiet moment. A request
   * cancelled by then gets an empty map and causes no stat.
   */
  existing(keys: readonly string[], cancelled: () => boolean = () => false): Promise<Map<string, boolean>> {
    const answers = new Map<string, boolean>();
    let missing = false;
    for (const key of keys) {
      const known = this.cached(key);
      if (known === undefined) missing = true;
      else answers.set(key, known);
    }
    if (!missing) return Promise.resolve(answers);
    return new Promise((resolve) => {
      this.waiting.push({ keys, cancelled, resolve });
      this.cancelTimer?.();
      this.cancelTimer = this.schedule(() => void this.flush(), this.options.debounceMs);
    });
  }

  /** Forgets a file's answer (it was created or deleted), or every answer. */
  forget(key?: string): void {
    if (key === undefined) this.known.clear();
    else this.known.delete(key);
  }

  private async flush(): Promise<void> {
    this.cancelTimer = undefined;
    const requests = this.waiting;
    this.waiting = [];
    const live = requests.filter((r) => !r.cancelled());
    for (const r of requests) if (r.cancelled()) r.resolve(new Map());
    const toStat = [...new Set(live.flatMap((r) => r.keys))].filter((key) => this.cached(key) === undefined);
    let next = 0;
    const worker = async () => {
      while (next < toStat.length) {
        const key = toStat[next++];
        this.stats++;
        let exists = false;
        try {
          exists = await this.options.stat(key);
        } catch {
          exists = false;
        }
        this.remember(key, exists);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, toStat.length) }, worker));
    for (const r of live) {
      const answers = new Map<string, boolean>();
      for (const key of r.keys) answers.set(key, this.known.get(key)?.exists ?? false);
      r.resolve(answers);
    }
  }

  private remember(key: string, exists: boolean): void {
    this.known.delete(key);
    this.known.set(key, { exists, at: this.now() });
    if (this.known.size > this.options.maxEntries) this.known.delete(this.known.keys().next().value as string);
  }
}
