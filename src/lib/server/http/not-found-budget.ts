// A client asking for address after address that does not exist (a scanner,
// a crawler walking made-up archive links) costs little per request, but at
// full speed it takes its share of the one core from the customers reading
// the page. Each client address has a budget of "not found" answers; past it,
// while real pages are being served, its 404s are still sent, but after a
// pause, which slows the flood to the rate the client's connections can wait
// out. With nobody else to protect, 404s go out at full speed. Pages that
// exist are never slowed. Memory is bounded: the table is forgotten whole
// every window.

export interface NotFoundBudgetOptions {
  /** 404s a client may get per window without waiting. */
  perWindow: number;
  windowMs: number;
  /** How long a client over budget waits for each further 404. */
  pauseMs: number;
  /** Clients tracked at most (beyond it, new ones share one count). */
  maxClients: number;
}

/** 100 a second on average, in bursts of up to 1,000: far beyond a person or a polite crawler. */
export const notFoundBudgetDefaults: NotFoundBudgetOptions = { perWindow: 1000, windowMs: 10_000, pauseMs: 250, maxClients: 10_000 };

export class NotFoundBudget {
  private counts = new Map<string, number>();
  private windowStart = 0;
  private lastPageAt = -Infinity;

  constructor(private readonly options: NotFoundBudgetOptions = notFoundBudgetDefaults) {}

  /** A page that exists was just served: from now on for a second, floods of 404s yield to such pages. */
  notePage(now = Date.now()): void {
    this.lastPageAt = now;
  }

  /** Counts one 404 for `client`: 0 to answer now, else how many ms to wait first. */
  take(client: string, now = Date.now()): number {
    if (now - this.windowStart >= this.options.windowMs) {
      this.counts.clear();
      this.windowStart = now;
    }
    const key = this.counts.has(client) || this.counts.size < this.options.maxClients ? client : 'others';
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count > this.options.perWindow && now - this.lastPageAt < 1000 ? this.options.pauseMs : 0;
  }
}
