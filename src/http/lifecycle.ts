/**
 * The process's serving state, read by /readyz and by every response. Once draining (SIGTERM),
 * /readyz answers 503 so that balancers stop sending traffic, and every response carries
 * `Connection: close`, so keep-alive connections end after the request they are serving
 * instead of being cut while a client reuses them.
 */
import type { ServerResponse } from "node:http";
import type { RequestHandler } from "express";

export class Lifecycle {
  draining = false;
  private readonly pending = new Set<Promise<void>>();

  startDraining(): void {
    this.draining = true;
  }

  /**
   * Work a handler does after its answer has left (the password-reset lookup, so that the answer
   * cannot depend on it), `delayMs` after the response finished; nothing if the client went away
   * first. Counted from now, so a drain that starts before the work does still waits for it
   * (shutdown.ts: before the database closes). `work` handles its own errors.
   */
  afterResponse(res: ServerResponse, delayMs: number, work: () => Promise<void>): void {
    const task = new Promise<void>((done) => {
      res.once("close", () => {
        if (!res.writableFinished) return done();
        setTimeout(() => void work().catch(() => undefined).finally(done), delayMs);
      });
    });
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  /** Resolves once every afterResponse task started so far has ended. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}

export function closeConnectionsWhenDraining(lifecycle: Lifecycle): RequestHandler {
  return (_req, res, next) => {
    if (lifecycle.draining) res.setHeader("Connection", "close");
    next();
  };
}
