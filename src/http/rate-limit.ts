/** Fixed-window counters in memory, per instance: enough to slow guessing; a shared store can replace it. */
import { RateLimitedError } from "../errors";

export class RateLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();
  constructor(readonly limit: number, readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Counts one attempt for `key`; throws RateLimitedError past the limit. */
  hit(key: string): void {
    const t = this.now();
    let e = this.hits.get(key);
    if (!e || e.resetAt <= t) {
      e = { count: 0, resetAt: t + this.windowMs };
      this.hits.set(key, e);
      if (this.hits.size > 50_000) this.sweep(t);
    }
    e.count++;
    if (e.count > this.limit) throw new RateLimitedError(Math.max(1, Math.ceil((e.resetAt - t) / 1000)));
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(t: number): void {
    for (const [k, e] of this.hits) if (e.resetAt <= t) this.hits.delete(k);
  }
}
