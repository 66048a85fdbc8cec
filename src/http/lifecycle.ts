/**
 * The process's serving state, read by /readyz and by every response. Once draining (SIGTERM),
 * /readyz answers 503 so that balancers stop sending traffic, and every response carries
 * `Connection: close`, so keep-alive connections end after the request they are serving
 * instead of being cut while a client reuses them.
 */
import type { RequestHandler } from "express";

export class Lifecycle {
  draining = false;
  startDraining(): void {
    this.draining = true;
  }
}

export function closeConnectionsWhenDraining(lifecycle: Lifecycle): RequestHandler {
  return (_req, res, next) => {
    if (lifecycle.draining) res.setHeader("Connection", "close");
    next();
  };
}
