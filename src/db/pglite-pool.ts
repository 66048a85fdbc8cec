/**
 * Lets TypeORM's postgres driver run on an embedded PGlite instance.
 *
 * PGlite is one database session. TypeORM expects a pool of sessions and runs a transaction
 * on a leased one, so this pool leases the single session exclusively: a second query runner
 * waits until the first is released. Without that, two requests' transactions would interleave
 * on one session (a BEGIN inside a BEGIN, one request's COMMIT committing another's writes).
 * Code must therefore never use the DataSource while it holds a transaction's manager: that is
 * a bug on PostgreSQL too (the second query cannot see the first's uncommitted rows), and here
 * it waits forever.
 */
import { EventEmitter } from "node:events";
import type { PGlite, Results } from "@electric-sql/pglite";
import { sqlText, type PreparedQuery } from "./prepared";

interface PgLikeResult {
  rows: unknown[];
  rowCount: number;
  command: string;
}

function commandOf(sql: string): string {
  const m = /^\s*(?:--[^\n]*\n\s*)*(\w+)/.exec(sql);
  return m ? m[1].toUpperCase() : "";
}

function toPgResult(sql: string, r: Results | undefined): PgLikeResult {
  const rows = (r?.rows ?? []) as unknown[];
  return { rows, rowCount: r?.affectedRows ?? rows.length, command: commandOf(sql) };
}

export function pgliteDriver(db: PGlite): { Pool: new () => EventEmitter } {
  const waiters: Array<() => void> = [];
  let leased = false;

  const acquire = (): Promise<void> =>
    new Promise((resolveLease) => {
      if (!leased) {
        leased = true;
        resolveLease();
      } else waiters.push(resolveLease);
    });
  const releaseLease = (): void => {
    const next = waiters.shift();
    if (next) next();
    else leased = false;
  };

  const run = async (sql: string, params?: unknown[]): Promise<PgLikeResult> => {
    await db.waitReady;
    if (params && params.length > 0) return toPgResult(sql, await db.query(sql, params));
    const results = await db.exec(sql);
    return toPgResult(sql, results[results.length - 1]);
  };

  type Callback = (err: Error | null, result?: PgLikeResult) => void;
  const client = Object.assign(new EventEmitter(), {
    /** Promise style (TypeORM's queries) and callback style (its connect-time extension check). */
    query(sql: string | PreparedQuery, params?: unknown[] | Callback, cb?: Callback): Promise<PgLikeResult> | undefined {
      const callback = typeof params === "function" ? params : cb;
      const p = run(sqlText(sql), typeof params === "function" ? undefined : params);
      if (!callback) return p;
      p.then((r) => callback(null, r), (err: Error) => callback(err));
      return undefined;
    },
  });

  class Pool extends EventEmitter {
    connect(cb: (err: Error | null, c: typeof client | null, release: (err?: unknown) => void) => void): void {
      db.waitReady
        .then(acquire)
        .then(() => {
          let released = false;
          cb(null, client, () => {
            if (released) return;
            released = true;
            releaseLease();
          });
        })
        .catch((err: Error) => cb(err, null, () => undefined));
    }
    end(cb?: (err: Error | null) => void): void {
      cb?.(null);
    }
  }
  return { Pool };
}
