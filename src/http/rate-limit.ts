/**
 * Fixed-window rate limits. `SharedRateLimiter` counts in PostgreSQL (the `rate_limits` table),
 * so N instances enforce one limit, not N; windows use the app clock, so tests can move time.
 * `RateLimiter` keeps counters in memory, for limits that only slow one process's hot loop.
 * Both throw RateLimitedError (429 with Retry-After) past the limit.
 */
import { createHash } from "node:crypto";
import type { DataSource } from "typeorm";
import { RateLimitedError } from "../errors";
import type { RateLimitSetting } from "../config";

export interface Limiter {
  /** Counts one attempt for `key`; throws RateLimitedError past the limit. */
  hit(key: string): void | Promise<void>;
  reset(key: string): void | Promise<void>;
}

const retryAfter = (resetAt: number, now: number) => Math.max(1, Math.ceil((resetAt - now) / 1000));

export class RateLimiter implements Limiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();
  constructor(readonly limit: number, readonly windowMs: number, private readonly now: () => number = Date.now) {}

  hit(key: string): void {
    const t = this.now();
    let e = this.hits.get(key);
    if (!e || e.resetAt <= t) {
      e = { count: 0, resetAt: t + this.windowMs };
      this.hits.set(key, e);
      if (this.hits.size > 50_000) this.sweep(t);
    }
    e.count++;
    if (e.count > this.limit) throw new RateLimitedError(retryAfter(e.resetAt, t));
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(t: number): void {
    for (const [k, e] of this.hits) if (e.resetAt <= t) this.hits.delete(k);
  }
}

/** Expired windows are deleted by whichever instance happens to draw this (about once per 500 hits). */
const SWEEP_ONE_IN = 500;

/**
 * Hits are reserved from the shared row in chunks of limit/200 (at least 1), and spent here
 * without a database round trip: a busy SCIM token (6000/min) writes its row once per 30
 * requests instead of on every one, so the limiter is not what bounds a busy IdP's throughput.
 * The price is precision: an instance may hold up to one unspent chunk, so others can be refused
 * up to (instances x chunk) hits early; limits under 400 per window keep exact per-hit counting.
 */
export class SharedRateLimiter implements Limiter {
  private readonly chunk: number;
  private readonly held = new Map<string, { left: number; resetAt: number }>();
  constructor(private readonly ds: DataSource, readonly name: string, readonly setting: RateLimitSetting,
    private readonly now: () => Date = () => new Date()) {
    this.chunk = Math.max(1, Math.floor(setting.limit / 200));
  }

  private key(key: string): string {
    const k = `${this.name}:${key}`;
    return k.length <= 200 ? k : `${this.name}:#${createHash("sha256").update(key).digest("hex")}`;
  }

  async hit(key: string): Promise<void> {
    const now = this.now();
    const k = this.key(key);
    const mine = this.held.get(k);
    if (mine && mine.left > 0 && mine.resetAt > now.getTime()) {
      mine.left--;
      return;
    }
    // One statement: concurrent reservations from any instance serialise on the row.
    const rows: Array<{ count: number; reset_at: Date }> = await this.ds.query(
      `INSERT INTO rate_limits (key, count, reset_at) VALUES ($1, $4, $2::timestamptz + $3::int * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN rate_limits.reset_at <= $2::timestamptz THEN $4 ELSE rate_limits.count + $4 END,
         reset_at = CASE WHEN rate_limits.reset_at <= $2::timestamptz THEN excluded.reset_at ELSE rate_limits.reset_at END
       RETURNING count, reset_at`,
      [k, now, this.setting.windowMs, this.chunk],
    );
    if (Math.random() * SWEEP_ONE_IN < 1) {
      void this.ds.query(`DELETE FROM rate_limits WHERE reset_at < $1`, [now]).catch(() => undefined);
    }
    const row = rows[0];
    if (!row) return;
    const resetAt = new Date(row.reset_at).getTime();
    const before = row.count - this.chunk;
    const granted = Math.max(0, Math.min(this.chunk, this.setting.limit - before));
    if (this.chunk > 1) {
      this.held.set(k, { left: Math.max(0, granted - 1), resetAt });
      if (this.held.size > 10_000) for (const [hk, h] of this.held) if (h.resetAt <= now.getTime()) this.held.delete(hk);
    }
    if (granted === 0) throw new RateLimitedError(retryAfter(resetAt, now.getTime()));
  }

  async reset(key: string): Promise<void> {
    this.held.delete(this.key(key));
    await this.ds.query(`DELETE FROM rate_limits WHERE key = $1`, [this.key(key)]);
  }
}
